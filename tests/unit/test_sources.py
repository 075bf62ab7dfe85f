"""sources.py: bytes on disk -> Source records, with the line of every front-matter key."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from journeyblog.engine.parallel import parallel_map
from journeyblog.errors import SiteError
from journeyblog.sources import (
    Source,
    Split,
    Unsplit,
    discover,
    parse_source,
    read_data_file,
    split_record,
)

PATH = Path("content/posts/x.md")
TEXT = """---
title: Moving the mail
date: 2016-07-29
author: ann
security: Public
tags: [cloud, email]
---

The first paragraph.
"""


def _parse(data: bytes) -> tuple[Source | None, SiteError | None]:
    return parse_source(PATH, data, "post")


def test_front_matter_body_and_key_lines() -> None:
    source, error = parse_source(PATH, TEXT.encode(), "post")
    assert error is None and source is not None
    assert source.meta["title"] == "Moving the mail"
    assert source.meta["tags"] == ["cloud", "email"]
    assert source.line("title") == 2
    assert source.line("tags") == 6
    assert source.line("part") is None
    assert source.body == "The first paragraph.\n"
    assert source.body_line == 9
    assert source.kind == "post"


def test_lines_count_blank_lines_around_the_front_matter() -> None:
    # Blank lines after either '---' are common; every line number must still be the file's.
    text = "---\n\ntitle: x\ndate: 2016-01-01\n---\n\n\nBody\n"
    source, error = _parse(text.encode())
    assert error is None and source is not None
    assert source.line("title") == 3
    assert source.line("date") == 4
    assert source.body_line == 8


@pytest.mark.parametrize("blank", ["", "\n", "\n\n", "\n\n\n"])
def test_an_error_after_blank_lines_and_a_padded_boundary_names_the_file_line(blank: str) -> None:
    # The front-matter split may fold blank lines and trailing spaces into its boundary;
    # the reported line must stay the file's own, with CRLF too.
    text = f"---  \n{blank}title: x\nauthor: ann\nsummary: this: breaks\n---\nBody\n"
    bad_line = 4 + blank.count("\n")
    for data in (text.encode(), text.replace("\n", "\r\n").encode()):
        source, error = _parse(data)
        assert source is None and error is not None
        assert error.line == bad_line
    good = text.replace("this: breaks", "fine")
    source, error = _parse(good.replace("\n", "\r\n").encode())
    assert error is None and source is not None
    assert source.line("title") == 2 + blank.count("\n")
    assert source.line("summary") == bad_line
    assert source.body_line == bad_line + 2


def test_dates_stay_text_so_the_date_check_can_name_the_line() -> None:
    text = TEXT.replace("2016-07-29", "2016-02-30")
    source, error = parse_source(PATH, text.encode(), "post")
    assert error is None and source is not None
    assert source.meta["date"] == "2016-02-30"
    assert source.line("date") == 3


def test_bom_and_crlf_give_the_same_source_as_plain_lf() -> None:
    plain, _ = parse_source(PATH, TEXT.encode(), "post")
    windows, error = parse_source(
        PATH, b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode(), "post"
    )
    assert error is None and plain is not None and windows is not None
    assert dict(windows.meta) == dict(plain.meta)
    assert dict(windows.key_lines) == dict(plain.key_lines)
    assert windows.body == plain.body
    assert windows.body_line == plain.body_line
    assert "\r" not in windows.body


def test_non_ascii_and_an_apostrophe_survive() -> None:
    title = "Café & “cloud” – part 1 🚀"  # noqa: RUF001
    text = f'---\ntitle: "{title}"\nauthor: "o\'reilly"\n---\nÉté.\n'
    source, error = parse_source(PATH, text.encode(), "post")
    assert error is None and source is not None
    assert source.meta["title"] == title
    assert source.meta["author"] == "o'reilly"
    assert source.body == "Été.\n"


def test_digest_changes_exactly_when_the_bytes_change() -> None:
    first, _ = parse_source(PATH, TEXT.encode(), "post")
    again, _ = parse_source(PATH, TEXT.encode(), "post")
    edited, _ = parse_source(PATH, TEXT.replace("first", "second").encode(), "post")
    assert first is not None and again is not None and edited is not None
    assert first.digest == again.digest != edited.digest


def test_invalid_yaml_names_the_line_of_the_file() -> None:
    text = "---\ntitle: Fine\ndate: 2016-01-01\nsummary: this: breaks\n---\nBody\n"
    source, error = _parse(text.encode())
    assert source is None and error is not None
    assert error.path == PATH
    assert error.line == 4
    assert error.message.startswith("invalid YAML front matter")


def test_non_utf8_names_the_line_with_the_bad_byte() -> None:
    source, error = _parse(b"---\ntitle: ok\nsummary: caf\xe9\n---\nBody\n")
    assert source is None and error is not None
    assert error.line == 3
    assert "not UTF-8" in error.message


def test_a_control_character_no_feed_can_carry_is_named_with_its_line() -> None:
    # Pasted from a word processor: a vertical tab in the body, on the file's line 9.
    source, error = _parse(TEXT.replace("The first", "The\x0bfirst").encode())
    assert source is None and error is not None
    assert error.line == 9 and "U+000B" in error.message
    # Written as a YAML escape, it only exists once parsed: the key's line is named.
    escaped = TEXT.replace("title: Moving the mail", 'title: "Moving\\x0cthe mail"')
    source, error = _parse(escaped.encode())
    assert source is None and error is not None
    assert error.line == 2 and "U+000C" in error.message
    tags = TEXT.replace("tags: [cloud, email]", 'tags: [cloud, "e\\x01mail"]')
    source, error = _parse(tags.encode())
    assert error is not None and error.line == 6 and "U+0001" in error.message
    # Tabs, newlines and carriage returns are ordinary text.
    source, error = _parse(TEXT.replace("The first", "The\tfirst").encode())
    assert error is None and source is not None


def test_a_control_character_in_a_data_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "authors.yml"
    path.write_text('ann:\n  name: Ann\nben:\n  name: "Ben\\x0bSmith"\n', encoding="utf-8")
    errors: list[SiteError] = []
    data = read_data_file(path, errors)
    assert [(e.line, "U+000B" in e.message) for e in errors] == [(3, True)]
    assert dict(data.data) == {}


def test_missing_front_matter_says_how_to_start_the_file() -> None:
    source, error = _parse(b"# Just Markdown\n")
    assert source is None and error is not None
    assert error.line == 1
    assert "no front matter" in error.message and "'---'" in error.message


def test_unclosed_front_matter_is_an_error() -> None:
    source, error = _parse(b"---\ntitle: Never closed\n")
    assert source is None and error is not None
    assert "not closed" in error.message


def test_front_matter_that_is_not_a_mapping_is_an_error() -> None:
    source, error = _parse(b"---\n- a\n- b\n---\nBody\n")
    assert source is None and error is not None
    assert "key: value" in error.message


def test_a_horizontal_rule_in_the_body_stays_in_the_body() -> None:
    text = TEXT + "\n---\n\nAfter the rule.\n"
    source, error = _parse(text.encode())
    assert error is None and source is not None
    assert "After the rule." in source.body


def test_read_data_file_keeps_the_line_of_each_slug(tmp_path: Path) -> None:
    path = tmp_path / "authors.yml"
    path.write_text("ann:\n  name: Ann\n\nben:\n  name: Ben\n", encoding="utf-8")
    errors: list[SiteError] = []
    data = read_data_file(path, errors)
    assert errors == []
    assert data.data["ben"] == {"name": "Ben"}
    assert dict(data.key_lines) == {"ann": 1, "ben": 4}


def test_read_data_file_missing_required_and_optional(tmp_path: Path) -> None:
    errors: list[SiteError] = []
    optional = read_data_file(tmp_path / "series.yml", errors, required=False)
    assert dict(optional.data) == {} and optional.readable
    assert errors == []
    assert not read_data_file(tmp_path / "authors.yml", errors).readable
    assert [error.message for error in errors] == ["missing (create authors.yml)"]
    (tmp_path / "broken.yml").write_text("a: [\n", encoding="utf-8")
    assert not read_data_file(tmp_path / "broken.yml", errors).readable


def test_read_data_file_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "series.yml"
    path.write_text("cloud:\n  title: A\n  description: x: y\n", encoding="utf-8")
    errors: list[SiteError] = []
    assert dict(read_data_file(path, errors).data) == {}
    [error] = errors
    assert error.line == 3
    assert error.message.startswith("invalid YAML")


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_discover_finds_posts_pages_images_and_static(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "content/posts/b.md": TEXT,
            "content/posts/cloud/2016/a.md": TEXT,
            "content/posts/.hidden.md": TEXT,
            "content/posts/backup.md~": TEXT,
            "content/posts/notes.txt": "not a post",
            "content/pages/about.md": "---\ntitle: About\n---\nUs.\n",
            "content/pages/nested/deep.md": "---\ntitle: Deep\n---\nNo.\n",
            "content/authors.yml": "ann:\n  name: Ann\n",
            "content/images/maps/m.png": "png",
            "static/favicon.ico": "ico",
        },
    )
    sources, errors = discover(tmp_path)
    assert errors == []
    assert [s.path.relative_to(tmp_path).as_posix() for s in sources.posts] == [
        "content/posts/b.md",
        "content/posts/cloud/2016/a.md",
    ]
    assert [s.path.name for s in sources.pages] == ["about.md"]
    assert sources.pages[0].kind == "page"
    assert [p.as_posix() for p in sources.images] == ["maps/m.png"]
    assert [p.as_posix() for p in sources.static] == ["favicon.ico"]
    assert list(sources.authors.data) == ["ann"]
    assert dict(sources.series.data) == {}


def test_discover_keeps_going_after_a_bad_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "content/posts/bad.md": "no front matter\n",
            "content/posts/good.md": TEXT,
            "content/authors.yml": "ann:\n  name: Ann\n",
        },
    )
    (tmp_path / "content/posts/latin1.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    sources, errors = discover(tmp_path)
    assert [s.path.name for s in sources.posts] == ["good.md"]
    assert sorted((e.path.name, e.line) for e in errors) == [("bad.md", 1), ("latin1.md", 2)]


def test_splitting_in_worker_processes_finds_the_same_sources_and_problems(
    tmp_path: Path,
) -> None:
    files = {f"content/posts/p{n:02d}.md": TEXT.replace("Moving", f"Move {n}") for n in range(6)}
    files |= {
        "content/posts/bad.md": "no front matter\n",
        "content/posts/yaml.md": "---\ntitle: [unclosed\n---\nBody.\n",
        "content/posts/set.md": "---\ntitle: A set\ntags: !!set {a: null}\n---\nBody.\n",
        "content/pages/about.md": "---\ntitle: About\n---\nUs.\n",
        "content/authors.yml": "ann:\n  name: Ann\n",
    }
    _write(tmp_path, files)
    processes: list[int] = []

    def split_many(items: Sequence[Unsplit]) -> list[Split]:
        processes.append(len(items))
        return parallel_map(split_record, items, jobs=2, min_items=1)

    here, here_errors = discover(tmp_path)
    there, there_errors = discover(tmp_path, split_many=split_many)

    assert processes == [10]
    assert there_errors == here_errors
    assert sorted(e.path.name for e in there_errors) == ["bad.md", "yaml.md"]
    assert there.posts == here.posts and there.pages == here.pages
    assert [s.path.name for s in there.posts] == [f"p{n:02d}.md" for n in range(6)] + ["set.md"]
