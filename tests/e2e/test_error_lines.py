"""Errors name the file and the line to fix, and files outside the site are never read.

A tab in YAML, an unclosed bracket, an empty date, a missing title or author, a template
syntax error in a site's theme, a bad alias, an empty file, an image too large to read:
each is `path:line: message` on its own line. A symlink under content/, static/ or themes/
that leads out of the site is an error, and its target's text is found nowhere afterwards;
static/ copies hidden files except `.git` and `.DS_Store`.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image
from tests.conftest import CONFIG, NOW, MakeSite, post

from journeyblog.cli import cli

POST = "content/posts/bad.md"
HELLO = {"content/posts/hello.md": post("Hello", body="Public words.\n")}


def build(site: Path) -> Result:
    return CliRunner().invoke(cli, ["build", str(site), "--now", NOW.isoformat()])


def errors_of(site: Path, result: Result, relative: str) -> list[str]:
    """The error lines about one file, without the site folder in front."""
    shown = f"{site / relative}:"
    return [
        line.removeprefix(f"{site}/")
        for line in result.stderr.splitlines()
        if line.startswith(shown)
    ]


def assert_refused(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(r"^Build failed: \d+ errors?; nothing was written\.$", result.stderr, re.M)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- front matter lines

TAB = "---\ntitle: Tabs\ndate: 2016-01-01\nauthor: ann\nsecurity: public\ntags:\n\t- cloud\n---\n"
BRACKET = (
    "---\ntitle: Brackets\ndate: 2016-01-01\nauthor: ann\nsecurity: public\n"
    "tags: [cloud, council\nsummary: A summary.\n---\nText.\n"
)
EMPTY_DATE = "---\ntitle: T\ndate:\nauthor: ann\nsecurity: public\n---\nText.\n"


def test_a_tab_in_yaml_indentation_is_named_on_its_line(make_site: MakeSite) -> None:
    site = make_site({**HELLO, POST: TAB})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert any(line.startswith(f"{POST}:7: ") and "tab" in line.lower() for line in found), found


def test_an_unclosed_bracket_is_named_on_its_own_line(make_site: MakeSite) -> None:
    site = make_site({**HELLO, POST: BRACKET})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert found and found[0].startswith(f"{POST}:{line_of(BRACKET, 'tags: [')}: "), found
    assert "[" in found[0]


def test_an_empty_date_is_one_error_on_its_line(make_site: MakeSite) -> None:
    site = make_site({**HELLO, POST: EMPTY_DATE})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert len(found) == 1, found
    assert found[0].startswith(f"{POST}:3: ") and "date" in found[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("---\ndate: 2016-01-01\nauthor: ann\nsecurity: public\n---\nText.\n", "title"),
        ("---\ntitle: T\ndate: 2016-01-01\nsecurity: public\n---\nText.\n", "author"),
    ],
    ids=["title", "author"],
)
def test_a_missing_key_says_what_to_add(make_site: MakeSite, text: str, key: str) -> None:
    site = make_site({**HELLO, POST: text})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert any(f"missing '{key}'" in line and f"add {key}:" in line for line in found), found


def test_an_empty_markdown_file_is_an_error(make_site: MakeSite) -> None:
    site = make_site({**HELLO, POST: ""})
    result = build(site)
    assert_refused(result)
    assert errors_of(site, result, POST), result.stderr


# ---------------------------------------------------------------- templates and aliases


def test_a_template_syntax_error_names_the_sites_template_and_line(make_site: MakeSite) -> None:
    base = "themes/default/templates/base.html"
    template = (
        "<!doctype html>\n"
        "<title>{{ site.title }}</title>\n{% if %}\n{% block main %}{% endblock %}\n"
    )
    site = make_site({**HELLO, base: template})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, base)
    assert any(line.startswith(f"{base}:3: ") for line in found), result.stderr


def test_an_alias_error_names_the_aliass_own_line(make_site: MakeSite) -> None:
    text = post("X", body="Text.\n").replace(
        "---\n\n", "aliases:\n  - /old/x/\n  - ../../etc/cron.d/x\n---\n\n"
    )
    site = make_site({**HELLO, POST: text})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert any(line.startswith(f"{POST}:{line_of(text, '  - ../')}: ") for line in found), found


def test_an_alias_on_the_key_line_is_named_there(make_site: MakeSite) -> None:
    text = post("X", aliases=["/old/x/", "../../etc/cron.d/x"])
    site = make_site({**HELLO, POST: text})
    result = build(site)
    assert_refused(result)
    found = errors_of(site, result, POST)
    assert any(line.startswith(f"{POST}:{line_of(text, 'aliases:')}: ") for line in found), found


# ---------------------------------------------------------------- images too large to read


def image_site(make_site: MakeSite, data: bytes, config: str = CONFIG) -> Path:
    site = make_site(
        {**HELLO, "journeyblog.toml": config, POST: post("Big", image="/images/big.png")}
    )
    (site / "content/images").mkdir(parents=True, exist_ok=True)
    (site / "content/images/big.png").write_bytes(data)
    return site


def test_an_image_over_max_image_pixels_is_an_error_naming_it(make_site: MakeSite) -> None:
    site = image_site(make_site, png(20, 20), CONFIG + "max_image_pixels = 100\n")
    result = build(site)
    assert_refused(result)
    assert "content/images/big.png" in result.stderr, result.stderr


def test_the_same_image_under_the_limit_builds(make_site: MakeSite) -> None:
    site = image_site(make_site, png(20, 20), CONFIG + "max_image_pixels = 400\n")
    assert build(site).exit_code == 0


def test_the_default_limit_is_forty_megapixels(make_site: MakeSite) -> None:
    site = image_site(make_site, png(6500, 6500, mode="1"))  # 42.25 million pixels
    result = build(site)
    assert_refused(result)
    assert "content/images/big.png" in result.stderr, result.stderr


# ---------------------------------------------------------------- symlinks and static files

OUTSIDE = "wombatoutside"  # the text of every file outside the site


def regular_files(folder: Path) -> list[Path]:
    """Every file under folder, not following or reading any symlink."""
    found = []
    for root, _, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(root) / name
            if not path.is_symlink():
                found.append(path)
    return found


def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    (folder / "docs").mkdir(parents=True)
    (folder / "post.md").write_text(
        post("Outside", body=f"The {OUTSIDE} body.\n"), encoding="utf-8"
    )
    (folder / "notes.txt").write_text(f"{OUTSIDE} notes\n", encoding="utf-8")
    (folder / "docs/readme.txt").write_text(f"{OUTSIDE} readme\n", encoding="utf-8")
    (folder / "post.html").write_text(f"{{% extends 'base.html' %}}{OUTSIDE}\n", encoding="utf-8")
    (folder / "site.css").write_text(f"/* {OUTSIDE} */\n", encoding="utf-8")
    (folder / "authors.yml").write_text(f"ann:\n  name: {OUTSIDE}\n", encoding="utf-8")
    (folder / "photo.png").write_bytes(png(4, 4))
    return folder


LINKS = {
    "post": ("content/posts/linked.md", "post.md", {}),
    "authors": ("content/authors.yml", "authors.yml", {}),
    "image": (
        "content/images/photo.png",
        "photo.png",
        {"content/posts/photo.md": post("Photo", image="/images/photo.png")},
    ),
    "static file": ("static/notes.txt", "notes.txt", {}),
    "static folder": ("static/docs", "docs", {}),
    "theme template": ("themes/default/templates/post.html", "post.html", {}),
    "theme static": ("themes/default/static/site.css", "site.css", {}),
}


@pytest.mark.parametrize("case", list(LINKS))
def test_a_symlink_out_of_the_site_is_an_error_and_never_read(
    make_site: MakeSite, tmp_path: Path, case: str
) -> None:
    relative, target, files = LINKS[case]
    elsewhere = outside(tmp_path)
    site = make_site({**HELLO, **files})
    link = site / relative
    if link.exists():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere / target)

    result = build(site)

    assert_refused(result)
    found = errors_of(site, result, relative)
    assert any("a link to a file outside the site: copy the file in" in line for line in found), (
        result.stderr
    )
    assert OUTSIDE not in result.output
    for path in regular_files(site):
        assert OUTSIDE.encode() not in path.read_bytes(), path


def test_a_symlink_inside_the_site_is_followed(make_site: MakeSite) -> None:
    site = make_site({**HELLO, "static/real.txt": "Real text.\n"})
    (site / "static/same.txt").symlink_to(site / "static/real.txt")
    result = build(site)
    assert result.exit_code == 0, result.output
    assert (site / "output/same.txt").read_text(encoding="utf-8") == "Real text.\n"


def test_static_copies_hidden_files_but_not_git_or_ds_store(make_site: MakeSite) -> None:
    site = make_site(
        {
            **HELLO,
            "static/.well-known/security.txt": "Contact: mailto:security@test.example\n",
            "static/.nojekyll": "",
            "static/.git/config": "[core]\n",
            "static/.DS_Store": "finder",
            "static/img/.DS_Store": "finder",
        }
    )
    result = build(site)
    assert result.exit_code == 0, result.output
    out = site / "output"
    assert (out / ".well-known/security.txt").read_text(encoding="utf-8").startswith("Contact:")
    assert (out / ".nojekyll").is_file()
    assert not (out / ".git").exists()
    assert not [path for path in out.rglob(".DS_Store")]
