"""One command line: every command's --help, docs/commands/ and the README's table agree, and
every usage error exits 2 naming what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from tests.conftest import REPO, MakeSite, post

from journeyblog import __version__
from journeyblog.cli import cli, command_help

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_each_command_has_its_page_made_from_its_help(name: str | None) -> None:
    page = REPO / "docs" / "commands" / f"{name or 'journeyblog'}.md"
    assert page.is_file(), f"{page} is missing: run scripts/command_docs.py"
    assert f"```\n{command_help(name)}\n```" in page.read_text(encoding="utf-8"), (
        f"{page} differs from --help: run scripts/command_docs.py"
    )


def _long_options(command: click.Command) -> set[str]:
    return {
        option
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for option in param.opts
        if option.startswith("--") and option != "--help"
    }


@pytest.mark.parametrize("name", COMMANDS)
def test_the_readme_table_lists_each_command_with_its_options(name: str) -> None:
    rows = [
        line
        for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"| `journeyblog {name} ")
    ]
    assert rows, f"no row for {name} in the README's command table"
    written = {option for row in rows for option in re.findall(r"(?<![\w-])--?[a-z][a-z-]*", row)}
    command = cli.commands[name]
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    for option in options:
        if "--help" not in option.opts:
            assert written & {*option.opts, *option.secondary_opts}, (name, option.opts)
    known = {opt for option in options for opt in (*option.opts, *option.secondary_opts)}
    assert written <= known | {"-q", "-v"}, written - known


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_quiet_and_verbose(name: str) -> None:
    assert {"--quiet", "--verbose"} <= _long_options(cli.commands[name])


def test_journeyblog_alone_prints_its_help_and_exits_0() -> None:
    result = CliRunner().invoke(cli, [], prog_name="journeyblog")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: journeyblog")
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
    version = CliRunner().invoke(cli, ["--version"])
    assert (version.exit_code, version.stdout.strip()) == (0, f"journeyblog, version {__version__}")


def test_summaries_are_whole_sentences() -> None:
    listing = command_help(None)
    for name in COMMANDS:
        [line] = [row for row in listing.splitlines() if row.startswith(f"  {name} ")]
        assert line.rstrip().endswith(".") and "..." not in line, line


USAGE_ERRORS = [
    (["build", "{site}", "--audience", "secret"], "--audience"),
    (["check", "{site}", "--audience", "secret"], "--audience"),
    (["audit", "{site}", "--audience", "secret"], "--audience"),
    (["serve", "{site}", "--audience", "secret", "--port", "0"], "--audience"),
    (["new", "{site}", "A title", "--author", "ann", "--security", "secret"], "--security"),
    (["new", "{site}", "A title"], "--author"),
    (["new", "{site}", "A title", "--author", "nobody"], "--author"),
    (["new", "{site}", "A title", "--series", "nope"], "--series"),
    (["build", "{site}", "--now", "yesterday"], "--now"),
    (["build", "{site}", "--jobs", "0"], "--jobs"),
    (["build", "{site}", "--base-url", "ftp://x"], "--base-url"),
    (["audit", "{site}", "--output", "{site}/nowhere"], "--output"),
    (["build", "{site}", "--no-such-option"], "--no-such-option"),
]


@pytest.mark.parametrize(
    ("args", "named"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_every_usage_error_exits_2_and_names_the_option(
    make_site: MakeSite, args: list[str], named: str
) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    result = CliRunner().invoke(cli, [arg.format(site=site) for arg in args])
    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert "journeyblog.toml" not in result.stderr
    assert "Traceback" not in result.output


def test_the_site_folder_comes_first_for_every_command(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(site), "-q"]).exit_code == 0
    assert runner.invoke(cli, ["build", str(site), "-q"]).exit_code == 0
    assert runner.invoke(cli, ["audit", str(site), "-q"]).exit_code == 0
    made = runner.invoke(cli, ["new", str(site), "Next steps", "--author", "ann", "-q"])
    assert made.exit_code == 0 and (site / "content/posts/next-steps.md").is_file()
