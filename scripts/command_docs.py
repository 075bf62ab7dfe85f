"""Write docs/commands/<command>.md from each command's --help (tests/e2e/test_commands.py
checks they agree): `.venv/bin/python scripts/command_docs.py`."""

from __future__ import annotations

from pathlib import Path

from journeyblog.cli import cli, command_help

DOCS = Path(__file__).resolve().parents[1] / "docs" / "commands"


def page(name: str | None) -> str:
    title = "journeyblog" if name is None else f"journeyblog {name}"
    return f"# `{title}`\n\n```\n{command_help(name)}\n```\n"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in [None, *sorted(cli.commands)]:
        (DOCS / f"{name or 'journeyblog'}.md").write_text(page(name), encoding="utf-8")


if __name__ == "__main__":
    main()
