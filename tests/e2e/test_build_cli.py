"""`journeyblog build` through click: exit codes, error lines, the summary, and no lost output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.conftest import CONFIG, NOW, MakeSite, post, snapshot

from journeyblog.cli import cli

SUMMARY = re.compile(r"^Built (\d+) pages, (\d+) feeds in \d+\.\d+ s\b")
GOOD = {
    "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
    "content/posts/cloud/02-email.md": post("Email", date="2016-02-01", series="cloud", part=2),
    "content/posts/solo.md": post("A standalone post", date="2016-03-01", author="ben"),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
}


def _build(site: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["build", str(site), "--now", NOW.isoformat(), *args])


def _error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("Build failed")]


def test_success_prints_one_summary_line_that_counts_what_was_written(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(GOOD)
    out = tmp_path / "out"
    result = _build(site, "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    match = SUMMARY.match(lines[0])
    assert match is not None, lines[0]
    files = snapshot(out)
    html = [path for path in files if path.endswith(".html")]
    feeds = [path for path in files if path.endswith(("feed.xml", "rss.xml", "feed.json"))]
    assert int(match.group(1)) == len(html)
    assert int(match.group(2)) == len(feeds)
    assert "posts/start/index.html" in files and "feed.xml" in files and "rss.xml" in files


def test_output_defaults_to_site_dir_output(make_site: MakeSite) -> None:
    site = make_site(GOOD)
    result = _build(site)
    assert result.exit_code == 0, result.output
    assert (site / "output/posts/email/index.html").is_file()


def test_base_url_option_overrides_the_config(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(GOOD)
    out = tmp_path / "out"
    result = _build(site, "-o", str(out), "--base-url", "https://preview.example/sub/")
    assert result.exit_code == 0, result.output
    page = (out / "posts/start/index.html").read_text(encoding="utf-8")
    assert 'href="/sub/posts/email/"' in page
    assert "https://preview.example/sub/posts/start/" in page


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "bad-yaml.md",
            "---\ntitle: Fine\ndate: 2016-01-01\nsummary: this: breaks\n---\nBody\n",
            ":4: invalid YAML front matter: ",
        ),
        ("author.md", post("Who", author="nobody"), ":4: unknown author 'nobody'"),
        ("partless.md", post("Lost", part=3), ":6: 'part' without 'series'"),
        (
            "evil.md",
            post("Evil", slug="../../etc/passwd"),
            ":6: slug '../../etc/passwd' must be one path segment",
        ),
        ("no-front.md", "# Just a heading\n", ":1: no front matter"),
    ],
)
def test_a_content_error_is_one_path_line_message_and_exit_1(
    make_site: MakeSite, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    site = make_site({**GOOD, f"content/posts/{name}": text})
    out = tmp_path / "out"
    result = _build(site, "-o", str(out))
    assert result.exit_code == 1
    [line] = _error_lines(result)
    assert line.startswith(f"{site}/content/posts/{name}{expected}"), line
    assert result.stderr.splitlines()[-1] == "Build failed: 1 error; nothing was written."
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not out.exists()
    assert not (tmp_path / "etc").exists()


def test_non_utf8_file_is_named_with_its_line(make_site: MakeSite) -> None:
    site = make_site(GOOD)
    (site / "content/posts/latin1.md").write_bytes(
        b"---\ntitle: Caf\xe9\ndate: 2016-01-01\nauthor: ann\nsecurity: Public\n---\nBody\n"
    )
    result = _build(site)
    assert result.exit_code == 1
    assert _error_lines(result) == [
        f"{site}/content/posts/latin1.md:2: not UTF-8 text (save the file as UTF-8)"
    ]
    assert "Traceback" not in result.output


def test_duplicate_part_numbers_name_both_files(make_site: MakeSite) -> None:
    site = make_site(
        {**GOOD, "content/posts/cloud/02-again.md": post("Again", series="cloud", part=2)}
    )
    result = _build(site)
    assert result.exit_code == 1
    first, second = (
        f"{site}/content/posts/cloud/02-again.md",
        f"{site}/content/posts/cloud/02-email.md",
    )
    lines = _error_lines(result)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{first}:7: part 2 of series 'cloud'") and second in lines[0]
    assert lines[1].startswith(f"{second}:7: part 2 of series 'cloud'") and first in lines[1]


def test_every_error_is_reported_sorted_by_path_and_line(make_site: MakeSite) -> None:
    site = make_site(
        {
            **GOOD,
            "content/posts/b.md": post("B", author="nobody", security="secret"),
            "content/posts/a.md": post("A", part=2),
        }
    )
    result = _build(site)
    assert result.exit_code == 1
    lines = _error_lines(result)
    assert [line.split(": ", 1)[0].removeprefix(f"{site}/") for line in lines] == [
        "content/posts/a.md:6",
        "content/posts/b.md:4",
        "content/posts/b.md:5",
    ]
    assert result.stderr.splitlines()[-1] == "Build failed: 3 errors; nothing was written."


def test_a_failed_build_leaves_the_previous_output_byte_for_byte(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(GOOD)
    out = tmp_path / "out"
    assert _build(site, "-o", str(out)).exit_code == 0
    before = snapshot(out)
    mtimes = {path: (out / path).stat().st_mtime_ns for path in before}
    (site / "content/posts/solo.md").write_text(post("Changed", author="nobody"), encoding="utf-8")
    (site / "content/posts/evil.md").write_text(post("E", slug="../../x"), encoding="utf-8")
    result = _build(site, "-o", str(out))
    assert result.exit_code == 1
    assert snapshot(out) == before
    assert {path: (out / path).stat().st_mtime_ns for path in before} == mtimes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out.manifest.json", "site"]


def test_nonexistent_site_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = _build(tmp_path / "no-such-site")
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option"],
        ["--now", "last tuesday"],
        ["--audience", "top-secret"],
        ["--base-url", "not a url"],
    ],
)
def test_bad_options_are_usage_errors(make_site: MakeSite, args: list[str]) -> None:
    site = make_site(GOOD)
    result = _build(site, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (site / "output").exists()


def test_a_folder_without_a_config_says_so_and_is_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.md").write_text("Nothing of a site.\n", encoding="utf-8")
    result = _build(folder)
    assert result.exit_code == 1
    assert "journeyblog.toml" in result.output
    assert "Traceback" not in result.output
    assert sorted(path.name for path in folder.iterdir()) == ["todo.md"]  # no cache made there
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes"]  # nothing beside it


@pytest.mark.parametrize(
    ("template", "line", "problem"),
    [
        (
            "{% extends 'base.html' %}\n{% block main %}\n{{ post.titel }}\n{% endblock %}\n",
            3,
            "has no attribute 'titel'",
        ),
        ("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n", 3, "Expected"),
    ],
    ids=["a misspelt field", "broken syntax"],
)
@pytest.mark.parametrize("relative", [False, True], ids=["site by full path", "relative"])
def test_a_broken_theme_template_is_one_line_naming_its_file_and_line(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    line: int,
    problem: str,
    relative: bool,
) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A"),
            "themes/mine/templates/post.html": template,
            "journeyblog.toml": CONFIG + 'theme = "mine"\n',
        }
    )
    if relative:
        monkeypatch.chdir(site.parent)
        site = Path(site.name)
    result = _build(site)
    assert result.exit_code == 1
    errors = _error_lines(result)
    assert len(errors) == 1, result.output
    path = site / "themes/mine/templates/post.html"
    assert errors[0].startswith(f"{path}:{line}: template: ")
    assert problem in errors[0] and errors[0].endswith("(fix the template)")
    assert "Traceback" not in result.output
    assert not (site / "output").exists()
