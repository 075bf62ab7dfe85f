"""Every page keeps a budget: a list longer than a page holds is split into pages linked in
order (tags, authors, the series index, the archive by year), the home page shows the series
most recently added to with a link to all; nothing becomes unreachable, and a small site's
pages are as they were. The budgets are made small here so that a small site tests them."""

from __future__ import annotations

import html
import re
from collections import deque
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, post

from journeyblog import render
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

YEARS = (2014, 2015, 2016)


def _site(make_site: MakeSite) -> Path:
    files: dict[str, str] = {}
    series_yml = []
    for number in range(1, 31):
        year = YEARS[number % 3]
        series = f"s{number % 10:02d}"
        part = number // 10 + 1
        files[f"content/posts/{series}/{part:02d}-post-{number:02d}.md"] = post(
            f"Post {number:02d}",
            date=f"{year}-{1 + number % 12:02d}-{1 + number % 27:02d}",
            author="ann" if number % 2 else "ben",
            series=series,
            part=part,
            tags=["everything", "odd"] if number % 2 else ["everything"],
        )
    for index in range(10):
        series_yml.append(f"s{index:02d}:\n  title: Series {index:02d}\n")
    files["content/series.yml"] = "".join(series_yml)
    return make_site(files)


@pytest.fixture
def built(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(render, "LIST_PAGE", 4)
    monkeypatch.setattr(render, "ARCHIVE_PAGE", 6)
    monkeypatch.setattr(render, "SERIES_PAGE", 4)
    monkeypatch.setattr(render, "HOME_SERIES", 3)
    site = _site(make_site)
    out = site / "output"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1))
    return out


def _page(out: Path, url: str) -> str:
    return (out / url.strip("/") / "index.html").read_text(encoding="utf-8")


def _walk(out: Path, first: str) -> list[str]:
    """The pages of a list, from its first page along rel=next; each one's text."""
    pages, url = [], first
    while url:
        text = _page(out, url)
        pages.append(text)
        assert len(pages) < 50
        found = re.search(r'<a href="([^"]*)" rel="next"', text)
        url = found.group(1) if found else ""
    return pages


def _titles(text: str) -> list[str]:
    return re.findall(r">(Post \d\d)</a>", text)


def test_a_tag_with_more_posts_than_a_page_holds_is_split_in_order(built: Path) -> None:
    pages = _walk(built, "/tags/everything/")
    assert len(pages) == 8  # 30 posts, 4 a page
    listed = [title for text in pages for title in _titles(text)]
    assert len(listed) == 30 and len(set(listed)) == 30
    assert all(len(_titles(text)) <= 4 for text in pages)
    assert "Posts tagged “everything”, page 2 of 8" in pages[1]
    assert '<a href="/tags/everything/" rel="prev">' in pages[1]
    dates = [d for text in pages for d in re.findall(r'<time datetime="([^"]+)"', text)]
    assert dates == sorted(dates, reverse=True)  # newest first, across pages


def test_an_authors_posts_are_split_likewise(built: Path) -> None:
    pages = _walk(built, "/authors/ann/")
    assert sum(len(_titles(text)) for text in pages) == 15
    assert len(pages) == 4


def test_a_large_archive_is_an_index_of_years_each_on_pages_of_its_own(built: Path) -> None:
    index = _page(built, "/archive/")
    assert _titles(index) == []
    for year in YEARS:
        assert f'<a href="/archive/{year}/">{year}</a> <span class="meta">(10 posts)</span>' in (
            index
        )
        pages = _walk(built, f"/archive/{year}/")
        assert len(pages) == 2 and [len(_titles(text)) for text in pages] == [6, 4]
        assert all(f'datetime="{year}-' in text for text in pages)
        assert f'<strong aria-current="page">{year}</strong>' in pages[0]


def test_the_series_index_and_the_home_page_keep_to_their_budget(built: Path) -> None:
    pages = _walk(built, "/series/")
    listed = [t for text in pages for t in re.findall(r">(Series \d\d)</a></h2>", text)]
    assert sorted(listed) == [f"Series {n:02d}" for n in range(10)]
    assert all(len(re.findall(r'class="series-card"', text)) <= 4 for text in pages)
    home = (built / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="series-card"', home)) == 3
    assert '<a href="/series/">All 10 series</a>' in home


def test_every_post_is_reached_from_the_home_page(built: Path) -> None:
    seen, queue = {"/"}, deque(["/"])
    while queue:
        url = queue.popleft()
        path = built / url.strip("/") / "index.html" if url.endswith("/") else built / url
        if not path.is_file() or path.suffix != ".html":
            continue
        for link in re.findall(r'href="(/[^"#?]*)"', path.read_text(encoding="utf-8")):
            link = html.unescape(link)
            if link not in seen:
                seen.add(link)
                queue.append(link)
    posts = {f"/posts/{p.name}/" for p in (built / "posts").iterdir()}
    assert len(posts) == 30 and posts <= seen


def test_a_small_site_has_one_page_a_list(make_site: MakeSite) -> None:
    site = _site(make_site)
    out = site / "output"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert not (out / "tags/everything/page").exists()
    assert len(_titles(_page(out, "/archive/"))) == 30
    assert not (out / "archive/2016").exists()
    assert 'rel="next"' not in _page(out, "/series/")
