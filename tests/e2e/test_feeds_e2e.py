"""/feed.xml (Atom) and /rss.xml (RSS 2.0) of a built site, judged by feedparser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from tests.conftest import NOW, MakeSite, post

from journeyblog.build import BuildResult

Build = Callable[..., BuildResult]
BASE = "https://example.org/blog/"
BODY = """\
Read [part one](/posts/one/) first, or [the series](../../series/cloud/),
or [a section](#a-heading).

![The plan](/images/plan.png)

## A heading

Text[^1] and [an outside link](https://www.gov.uk/).

[^1]: A footnote.
"""


@pytest.fixture
def out(make_site: MakeSite, build_site: Build, tmp_path: Path) -> Path:
    site = make_site(
        {
            "journeyblog.toml": f'title = "Feeds & Co"\nbase_url = "{BASE}"\n',
            "content/posts/cloud/01-one.md": post(
                "One", date="2016-01-04", series="cloud", part=1, body="The first part.\n"
            ),
            "content/posts/cloud/02-two.md": post(
                "Two", date="2016-03-01T09:30", series="cloud", part=2, body=BODY
            ),
            "content/posts/three.md": post(
                "Three", date="2017-06-01", author="ben", tags=["Data"], body="Newest of all.\n"
            ),
            "content/posts/older.md": post("Older", date="2015-12-31", body="Oldest.\n"),
        }
    )
    (site / "content/images").mkdir()
    (site / "content/images/plan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    output = tmp_path / "out"
    build_site(site, out_dir=output)
    return output


def _parse(out: Path, name: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((out / name).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.mark.parametrize(("name", "version"), [("feed.xml", "atom10"), ("rss.xml", "rss20")])
def test_site_feeds_parse_cleanly(out: Path, name: str, version: str) -> None:
    parsed = _parse(out, name)
    assert parsed.version == version
    assert parsed.feed.title == "Feeds & Co"
    assert parsed.feed.link == BASE


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_every_link_in_a_feed_is_absolute(out: Path, name: str) -> None:
    parsed = _parse(out, name)
    links = [link["href"] for link in parsed.feed.get("links", [])]
    for entry in parsed.entries:
        links.append(entry.link)
        links.extend(link["href"] for link in entry.get("links", []))
        for content in entry.get("content", []):
            soup = BeautifulSoup(content.value, "html.parser")
            links.extend(str(a["href"]) for a in soup.find_all("a", href=True))
            links.extend(str(img["src"]) for img in soup.find_all("img", src=True))
    assert len(links) > 8
    relative = [link for link in links if not _is_absolute(link)]
    assert relative == []
    assert all(link.startswith((BASE, "https://www.gov.uk/")) for link in links), links


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_content_links_resolve_against_the_post(out: Path, name: str) -> None:
    two = next(e for e in _parse(out, name).entries if e.link == BASE + "posts/two/")
    soup = BeautifulSoup(two.content[0].value, "html.parser")
    hrefs = [str(a["href"]) for a in soup.find_all("a", href=True)]
    assert BASE + "posts/one/" in hrefs
    assert BASE + "series/cloud/" in hrefs
    assert BASE + "posts/two/#a-heading" in hrefs
    img = soup.find("img")
    assert img is not None and img["src"] == BASE + "images/plan.png"
    assert (out / "images/plan.png").is_file()


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_entries_are_newest_first(out: Path, name: str) -> None:
    entries = _parse(out, name).entries
    assert [entry.link.removeprefix(BASE) for entry in entries] == [
        "posts/three/",
        "posts/two/",
        "posts/one/",
        "posts/older/",
    ]
    dates = [entry.published_parsed for entry in entries]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_entries_carry_the_full_content(out: Path, name: str) -> None:
    two = next(e for e in _parse(out, name).entries if e.link == BASE + "posts/two/")
    soup = BeautifulSoup(two.content[0].value, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "Read part one first" in text
    assert "A footnote." in text
    assert soup.find("h2") is not None
    assert two.id == "tag:example.org,2016-03-01:posts/two"
    assert "Ann O'Reilly" in two.author


def test_series_feed_holds_its_parts(out: Path) -> None:
    parsed = _parse(out, "series/cloud/feed.xml")
    assert [entry.title for entry in parsed.entries] == [
        "Journey to the Cloud, part 1: One",
        "Journey to the Cloud, part 2: Two",
    ]


def test_a_rebuild_without_changes_leaves_feeds_byte_identical(
    out: Path, build_site: Build, tmp_path: Path
) -> None:
    feeds = ["feed.xml", "rss.xml", "feed.json", "series/cloud/feed.xml", "series/cloud/rss.xml"]
    before = {name: (out / name).read_bytes() for name in feeds}
    again = tmp_path / "again"
    build_site(tmp_path / "site", out_dir=again)
    assert {name: (again / name).read_bytes() for name in feeds} == before
    build_site(tmp_path / "site", out_dir=out, now=NOW + timedelta(days=3))
    assert {name: (out / name).read_bytes() for name in feeds} == before
