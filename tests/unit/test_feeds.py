"""feeds.py: Site -> Atom, RSS and JSON feeds, one loop over scope x format."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urljoin

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from tests.conftest import AUTHORS, NOW, SERIES, post

from journeyblog.config import parse_config
from journeyblog.feeds import (
    FeedScope,
    absolute_urls,
    feed_scopes,
    item_title,
    render_feeds,
)
from journeyblog.model import Site
from journeyblog.site import Selection, assemble
from journeyblog.sources import DataFile, SiteSources, parse_source

BASE = "https://example.org/blog/"


def _data(text: str) -> DataFile:
    return DataFile(
        path=Path("x.yml"),
        data=MappingProxyType(yaml.safe_load(text)),
        key_lines=MappingProxyType({}),
    )


def _site(posts: Mapping[str, str], **config: object) -> Site:
    raw: dict[str, object] = {"title": "Council Notes", "base_url": BASE}
    raw.update(config)
    sources = SiteSources(
        site_dir=Path("."),
        posts=tuple(
            source
            for path, text in posts.items()
            if (source := parse_source(Path(path), text.encode(), "post")[0]) is not None
        ),
        pages=(),
        authors=_data(AUTHORS),
        series=_data(SERIES),
        images=(),
        static=(),
    )
    site, errors = assemble(
        parse_config(raw, path=Path("journeyblog.toml")), sources, selection=Selection(now=NOW)
    )
    assert errors == []
    return site


BODY = """See [part one](/posts/start/), [a note](#fn1), [outside](https://gov.example/x)
and ![a map](/images/map.png).

Some `code & <tags>`.
"""
POSTS_TITLE_2 = "Email & “calendars” – été 🚀"  # noqa: RUF001
POSTS = {
    "content/posts/01-start.md": post("Start", date="2016-01-04", series="cloud", part=1),
    "content/posts/02-mail.md": post(
        POSTS_TITLE_2, date="2016-02-01", series="cloud", part=2, body=BODY
    ),
    "content/posts/solo.md": post("A <b>bold</b> claim", date="2017-03-01", tags=["Data"]),
}


def _feeds(site: Site, feed_size: int = 20) -> dict[str, bytes]:
    outputs = render_feeds(site, feed_scopes(site, feed_size))
    return {output.path: output.data or b"" for output in outputs}


def test_one_loop_gives_every_scope_in_every_format() -> None:
    feeds = _feeds(_site(POSTS))
    scopes = ["", "series/cloud/", "authors/ann/", "tags/data/"]
    assert set(feeds) == {
        scope + name for scope in scopes for name in ("feed.xml", "rss.xml", "feed.json")
    }


def test_scopes_hold_the_right_posts_in_the_right_order() -> None:
    site = _site(POSTS)
    scopes = {scope.path: scope for scope in feed_scopes(site, feed_size=2)}
    assert [p.title for p in scopes[""].posts] == ["A <b>bold</b> claim", POSTS_TITLE_2]
    # A series feed holds every part, in part order, whatever the feed size.
    assert [p.slug for p in scopes["series/cloud/"].posts] == ["start", "mail"]
    assert [p.slug for p in scopes["authors/ann/"].posts] == ["solo", "mail"]
    assert scopes["series/cloud/"].home_url == BASE + "series/cloud/"


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_atom_and_rss_parse_cleanly_with_absolute_links(name: str) -> None:
    parsed = feedparser.parse(_feeds(_site(POSTS))[name])
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Council Notes"
    assert parsed.feed.link == BASE
    assert [entry.title for entry in parsed.entries] == [
        "A <b>bold</b> claim",
        f"Journey to the Cloud, part 2: {POSTS_TITLE_2}",
        "Journey to the Cloud, part 1: Start",
    ]
    assert [entry.link for entry in parsed.entries] == [
        BASE + "posts/solo/",
        BASE + "posts/mail/",
        BASE + "posts/start/",
    ]
    assert parsed.entries[1].id == "tag:example.org,2016-02-01:posts/mail"
    content = BeautifulSoup(parsed.entries[1].content[0].value, "html.parser")
    urls = [str(a["href"]) for a in content.find_all("a")]
    urls += [str(img["src"]) for img in content.find_all("img")]
    assert urls == [
        BASE + "posts/start/",
        BASE + "posts/mail/#fn1",
        "https://gov.example/x",
        BASE + "images/map.png",
    ]
    assert "code & <tags>" in content.get_text()
    assert "Security level: Public" in content.get_text()


def test_json_feed_items() -> None:
    feed = json.loads(_feeds(_site(POSTS))["feed.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == BASE + "feed.json"
    assert [item["title"] for item in feed["items"]] == [
        "A <b>bold</b> claim",
        f"Journey to the Cloud, part 2: {POSTS_TITLE_2}",
        "Journey to the Cloud, part 1: Start",
    ]
    mail = feed["items"][1]
    assert mail["url"] == BASE + "posts/mail/"
    assert f'href="{BASE}posts/start/"' in mail["content_html"]
    assert mail["authors"][0]["name"] == (
        "Ann O'Reilly, Director of Information Systems, Northbridge City Council"
    )


def test_item_title_names_the_series_and_part_once() -> None:
    site = _site(POSTS)
    titles = {p.slug: item_title(p) for p in site.posts}
    assert titles == {
        "solo": "A <b>bold</b> claim",
        "mail": f"Journey to the Cloud, part 2: {POSTS_TITLE_2}",
        "start": "Journey to the Cloud, part 1: Start",
    }


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/blog/x/">', f'<a href="{BASE}x/">'),
        ('<a href="#fn1">', f'<a href="{BASE}posts/p/#fn1">'),
        ('<img src="pic.png" alt="">', f'<img src="{BASE}posts/p/pic.png" alt="">'),
        ('<a href="https://other.example/">', '<a href="https://other.example/">'),
        ('<a href="/q?a=1&amp;b=2">', '<a href="https://example.org/q?a=1&amp;b=2">'),
        ('<p>href="/not-an-attribute"</p>', '<p>href="/not-an-attribute"</p>'),
    ],
)
def test_absolute_urls(html: str, expected: str) -> None:
    assert absolute_urls(html, BASE + "posts/p/") == expected


def test_feeds_do_not_depend_on_the_build_time() -> None:
    site = _site(POSTS)
    later = dataclasses.replace(site, built_at=NOW + timedelta(days=400))
    assert _feeds(site) == _feeds(later)


def test_summary_scope_links_to_the_post_instead_of_the_body() -> None:
    site = _site(POSTS)
    scope = FeedScope(
        path="syndication/",
        title="Summaries",
        description="d",
        home_url=BASE,
        posts=site.posts,
        content="summary",
    )
    [atom] = render_feeds(site, [scope], formats=("atom",))
    parsed = feedparser.parse(atom.data)
    assert parsed.bozo == 0
    content = BeautifulSoup(parsed.entries[1].content[0].value, "html.parser")
    assert "code & <tags>" not in content.get_text()  # only the summary, not the body
    link = content.find("a", string="Read more")
    assert link is not None and link["href"] == BASE + "posts/mail/"


def test_cdata_terminator_in_raw_html_does_not_break_rss() -> None:
    site = _site(
        {"content/posts/x.md": post("X", body="<div>a ]]> b</div>\n")}, allow_raw_html=True
    )
    parsed = feedparser.parse(_feeds(site)["rss.xml"])
    assert parsed.bozo == 0
    entry = parsed.entries[0]
    html = entry.content[0].value if "content" in entry else entry.description
    assert "a ]]> b" in BeautifulSoup(html, "html.parser").get_text()


def test_an_empty_site_still_has_valid_feeds() -> None:
    feeds = _feeds(_site({}))
    for name in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse(feeds[name])
        assert parsed.bozo == 0 and parsed.entries == []
    assert json.loads(feeds["feed.json"])["items"] == []


@pytest.mark.parametrize("page", ["https://example.org/posts/a/", "http://example.org/b/c"])
@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/c?d=1&amp;e=2",
        "HTTPS://A.example/a/../b",
        "https://a.example?",
        "http://h.example:80/p",
        "https://&#47;x",
        "ftp://h.example/p;x?q#f",
        "mailto:x@example.org",
        "git+ssh://h.example/x",
        "http:relative",
        "//h.example/x",
        "/images/x.png",
        "../x/",
        "#section",
    ],
)
def test_absolute_urls_resolve_every_url_as_urljoin_does(page: str, url: str) -> None:
    html = f'<p><a href="{url}">x</a> <img src="{url}" alt=""></p>'
    resolved = html_lib.escape(urljoin(page, html_lib.unescape(url)))
    expected = f'<p><a href="{resolved}">x</a> <img src="{resolved}" alt=""></p>'
    assert absolute_urls(html, page) == expected
    assert absolute_urls(html, page) == expected  # and again, from what was worked out once


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("People, Not Platforms", "Journey to the Cloud, part 5: People, Not Platforms"),
        ("Journey to the Cloud \u2013 5: People", "Journey to the Cloud \u2013 5: People"),
        ("Journey to the Cloud - 5: People", "Journey to the Cloud - 5: People"),
        ("Part 5: People", "Part 5: People"),
        ("Cloud, pt. 5: People", "Cloud, pt. 5: People"),
        ("People (5)", "People (5)"),
        ("Journey to the Cloud: People", "Journey to the Cloud: People (part 5)"),
        ("Windows 5 upgrades", "Journey to the Cloud, part 5: Windows 5 upgrades"),
        ("The top 50 lessons", "Journey to the Cloud, part 5: The top 50 lessons"),
    ],
)
def test_a_part_title_says_its_series_and_part_once(title: str, expected: str) -> None:
    site = _site({"content/posts/05-x.md": post(title, series="cloud", part=5)})
    assert item_title(site.posts[0]) == expected
