"""Every kind of bad input: exit 1, one `path:line: message` line each, old output intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import NOW, MakeSite, post

from journeyblog.cli import cli

GOOD = {"content/posts/good.md": post("Good")}

CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "invalid yaml": (
        {"content/posts/bad.md": "---\ntitle: Journey: the sequel\ndate: 2016-01-01\n---\n"},
        ["content/posts/bad.md:2: invalid YAML front matter"],
    ),
    "missing keys": (
        {"content/posts/bad.md": "---\ntitle: Only a title\n---\nBody\n"},
        [
            "content/posts/bad.md:1: missing 'author'",
            "content/posts/bad.md:1: missing 'date'",
            "content/posts/bad.md:1: missing 'security'",
        ],
    ),
    "unknown author": (
        {"content/posts/bad.md": post("X", author="jdoe")},
        ["content/posts/bad.md:4: unknown author 'jdoe' (add it to content/authors.yml)"],
    ),
    "unknown level": (
        {"content/posts/bad.md": post("X", security="Secret")},
        ["content/posts/bad.md:5: unknown security level 'Secret'"],
    ),
    "part without series": (
        {"content/posts/bad.md": post("X", part=2)},
        ["content/posts/bad.md:6: 'part' without 'series'"],
    ),
    "duplicate parts": (
        {
            "content/posts/cloud/a.md": post("A", series="cloud", part=2),
            "content/posts/cloud/b.md": post("B", series="cloud", part=2),
        },
        [
            "content/posts/cloud/a.md:7: part 2 of series 'cloud' is also",
            "content/posts/cloud/b.md:7: part 2 of series 'cloud' is also",
        ],
    ),
    "not utf-8": (
        {"content/posts/bad.md": post("Caf\u00e9").encode("latin-1")},
        ["content/posts/bad.md:2: not UTF-8 text"],
    ),
    "not a date": (
        {"content/posts/bad.md": post("X", date="2016-02-30")},
        ["content/posts/bad.md:3: date '2016-02-30' is not a date"],
    ),
    "slug escapes": (
        {"content/posts/bad.md": post("X", slug="../../etc/passwd")},
        ["content/posts/bad.md:6: slug '../../etc/passwd' must be one path segment"],
    ),
    "alias escapes": (
        {"content/posts/bad.md": post("X", aliases=["../../etc/cron.d/x"])},
        ["content/posts/bad.md:6: alias '../../etc/cron.d/x' would be written outside"],
    ),
    "image escapes": (
        {"content/posts/bad.md": post("X", image="../../etc/passwd")},
        ["content/posts/bad.md:6: image '../../etc/passwd' would be read from outside"],
    ),
    "duplicate slug": (
        {
            "content/posts/a.md": post("A", slug="same"),
            "content/posts/b.md": post("B", slug="same"),
        },
        ["content/posts/a.md:6: slug 'same' is also used by", "content/posts/b.md:6: slug 'same'"],
    ),
    "duplicate id": (
        {
            "content/posts/a.md": post("A", id="tag:x,2016:1"),
            "content/posts/b.md": post("B", id="tag:x,2016:1"),
        },
        ["content/posts/a.md:6: id 'tag:x,2016:1' is also used by", "content/posts/b.md:6: id"],
    ),
    "bad config": (
        {"journeyblog.toml": 'title = "T"\nbase_url = "https://x.example/"\npost_per_page = 3\n'},
        ["journeyblog.toml:3: unknown setting 'post_per_page'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_site_fails_cleanly(make_site: MakeSite, tmp_path: Path, case: str) -> None:
    files, expected = CASES[case]
    site = make_site(GOOD)
    out = tmp_path / "output"
    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(site), "-o", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for relative, text in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    result = runner.invoke(cli, ["build", str(site), "-o", str(out), "--now", NOW.isoformat()])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line.removeprefix(f"{site}/") for line in result.output.splitlines()]
    for wanted in expected:
        assert any(line.startswith(wanted) for line in lines), (wanted, lines)
    assert lines[-1].startswith("Build failed")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_all_errors_are_reported_together_in_file_order(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/b.md": post("B", author="nobody"),
            "content/posts/a.md": post("A", security="top"),
            "content/posts/c.md": post("C", date="yesterday"),
        }
    )
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    errors = [line.removeprefix(f"{site}/") for line in result.output.splitlines()[:-1]]
    assert [line.split(":", 1)[0] for line in errors] == [
        "content/posts/a.md",
        "content/posts/b.md",
        "content/posts/c.md",
    ]
