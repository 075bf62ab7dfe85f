"""Syndication end to end: every feed a build writes, link previews and social cards.

Feeds are judged by feedparser and lxml, pages by BeautifulSoup, cards by Pillow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from lxml import etree
from PIL import Image
from tests.conftest import AUTHORS, NOW, SERIES, MakeSite, post

from journeyblog.build import BuildResult
from journeyblog.cli import cli

BASE = "https://blog.test.example/"
HUB = "https://hub.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = f"""\
title = "Test Council Notes"
base_url = "{BASE}"
description = "Notes from councils moving to the cloud."
websub_hub = "{HUB}"

[syndication.knowledge-hub]
title = "Knowledge hub"
format = "atom"
content = "full"
series = ["cloud"]
footer = "Originally published at {{url}}"

[syndication.linkedin]
title = "LinkedIn"
format = "rss"
content = "summary"
utm = {{ source = "linkedin", medium = "social", campaign = "{{series}}" }}

[syndication.reader]
title = "Reader"
format = "json"
"""
TRICKY_TITLE = "Identity & email: why </script> tags <b>matter</b>"

Build = Callable[..., BuildResult]


def _files(slug_of_kept: str = "kept") -> dict[str, str]:
    return {
        "journeyblog.toml": CONFIG,
        "content/authors.yml": AUTHORS,
        "content/series.yml": SERIES,
        "content/posts/cloud/01-start.md": post(
            "Starting out",
            date="2016-01-04",
            series="cloud",
            part=1,
            tags=["Cloud", "Strategy"],
            body="Read [part 2](/posts/identity/) and see ![the plan](/images/plan.png).\n\n"
            "[Relative](../identity/) and [anchor](#top) too.\n",
        ),
        "content/posts/cloud/02-identity.md": post(
            TRICKY_TITLE, date="2016-02-01", series="cloud", part=2, tags=["Identity"]
        ),
        "content/posts/cloud/03-internal.md": post(
            "Staff rota", date="2016-03-01", series="cloud", part=3, security="Internal"
        ),
        "content/posts/cloud/04-data.md": post(
            "Data centre exit", date="2016-04-01", series="cloud", part=4
        ),
        "content/posts/kept.md": post(
            "A post that moves",
            date="2016-05-01",
            author="ben",
            id="tag:blog.test.example,2016-05-01:kept",
            slug=slug_of_kept,
            image="/images/lead.png",
            image_alt="A server room",
            tags=["Cloud"],
        ),
    }


@pytest.fixture
def site_dir(make_site: MakeSite) -> Path:
    site = make_site(_files())
    images = site / "content" / "images"
    images.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 627), "teal").save(images / "lead.png")
    Image.new("RGB", (800, 600), "olive").save(images / "plan.png")
    return site


@pytest.fixture
def out(site_dir: Path, build_site: Build) -> Path:
    build_site(site_dir)
    return site_dir / "output"


def _feeds(out: Path) -> dict[str, bytes]:
    """Every feed in the output, by path: site, series, author, tag and syndication."""
    found = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.name in ("feed.xml", "rss.xml", "feed.json") or relative.startswith("syndication/"):
            found[relative] = path.read_bytes()
    return found


def _post_pages(out: Path) -> dict[str, BeautifulSoup]:
    return {
        page.parent.name: BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for page in sorted((out / "posts").glob("*/index.html"))
    }


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    assert tag is not None, f"no <meta> {name}"
    return str(tag["content"])


def _json_ld_text(soup: BeautifulSoup) -> str:
    script = soup.find("script", type="application/ld+json")
    assert script is not None and script.string is not None
    return str(script.string)


def _output_file(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return out / url.removeprefix(BASE)


# ---------------------------------------------------------------- feeds


def test_the_build_writes_a_feed_for_every_scope_and_profile(out: Path) -> None:
    feeds = set(_feeds(out))
    for scope in ("", "series/cloud/", "authors/ann/", "authors/ben/", "tags/identity/"):
        assert {scope + "feed.xml", scope + "rss.xml", scope + "feed.json"} <= feeds
    assert {
        "syndication/knowledge-hub.xml",
        "syndication/linkedin.xml",
        "syndication/reader.json",
    } <= feeds


def test_every_feed_parses_and_passes_strict_checks(out: Path) -> None:
    for path, data in _feeds(out).items():
        if path.endswith(".json"):
            _check_json_feed(path, data)
            continue
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        root = etree.fromstring(data)
        if root.tag == f"{ATOM}feed":
            _check_atom(path, root)
        else:
            _check_rss(path, root)


def _check_atom(path: str, feed: etree._Element) -> None:
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), (path, name)
    selfs = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert selfs == [BASE + path], path
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), (path, name)


def _check_rss(path: str, rss: etree._Element) -> None:
    channel = rss.find("channel")
    assert channel is not None, path
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), (path, name)
    selfs = [
        link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert selfs == [BASE + path], path
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid is not None and guid.text, path
        expected = "false" if guid.text.startswith("tag:") else "true"
        assert guid.get("isPermaLink", "true") == expected, (path, guid.text)


def _check_json_feed(path: str, data: bytes) -> None:
    feed = json.loads(data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1", path
    assert feed["title"] and feed["feed_url"] == BASE + path, path
    assert feed["items"], path
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"], path
        assert item.get("content_html") or item.get("content_text"), path


def test_every_url_in_feed_content_is_absolute(out: Path) -> None:
    checked = 0
    for path, data in _feeds(out).items():
        if path.endswith(".json"):
            items = json.loads(data)["items"]
            bodies = [item["content_html"] for item in items]
            links = [item["url"] for item in items]
        else:
            entries = feedparser.parse(data).entries
            bodies = [content.value for entry in entries for content in entry.content]
            links = [entry.link for entry in entries]
        for body in bodies:
            soup = BeautifulSoup(body, "html.parser")
            for tag in soup.find_all(href=True) + soup.find_all(src=True):
                url = str(tag.get("href") or tag.get("src"))
                parts = urlsplit(url)
                assert parts.scheme in ("http", "https") and parts.netloc, (path, url)
                checked += 1
        assert all(urlsplit(link).scheme == "https" for link in links), path
    assert checked > 20
    site_feed = feedparser.parse((out / "feed.xml").read_bytes())
    start = next(
        e for e in site_feed.entries if e.title == "Journey to the Cloud, part 1: Starting out"
    )
    body = start.content[0].value
    assert f'src="{BASE}images/plan.png"' in body
    assert f'href="{BASE}posts/identity/"' in body
    assert f'href="{BASE}posts/start/#top"' in body


def test_the_series_feed_holds_exactly_its_published_parts_in_part_order(out: Path) -> None:
    for name in ("feed.xml", "rss.xml"):
        feed = feedparser.parse((out / "series/cloud" / name).read_bytes())
        assert [entry.link for entry in feed.entries] == [
            f"{BASE}posts/start/",
            f"{BASE}posts/identity/",
            f"{BASE}posts/data/",
        ]
    titles = [
        item["title"] for item in json.loads((out / "series/cloud/feed.json").read_bytes())["items"]
    ]
    assert titles == [
        "Journey to the Cloud, part 1: Starting out",
        f"Journey to the Cloud, part 2: {TRICKY_TITLE}",
        "Journey to the Cloud, part 4: Data centre exit",
    ]


def test_the_knowledge_hub_gets_full_content_with_the_footer(out: Path) -> None:
    feed = feedparser.parse((out / "syndication/knowledge-hub.xml").read_bytes())
    assert [entry.link for entry in feed.entries] == [
        f"{BASE}posts/data/",
        f"{BASE}posts/identity/",
        f"{BASE}posts/start/",
    ]
    start = feed.entries[-1].content[0].value
    assert "Relative" in start and "<img" in start  # the whole body
    assert f'Originally published at <a href="{BASE}posts/start/">{BASE}posts/start/</a>' in start


def test_linkedin_gets_summaries_with_utm_tagged_links(out: Path) -> None:
    feed = feedparser.parse((out / "syndication/linkedin.xml").read_bytes())
    assert len(feed.entries) == 4
    for entry in feed.entries:
        query = parse_qs(urlsplit(entry.link).query)
        campaign = "cloud" if entry.title.startswith("Journey to the Cloud") else "standalone"
        assert query == {
            "utm_source": ["linkedin"],
            "utm_medium": ["social"],
            "utm_campaign": [campaign],
        }
        content = entry.content[0].value
        assert entry.summary in content
        assert entry.link in content.replace("&amp;", "&")
    start = next(
        entry
        for entry in feed.entries
        if entry.title == "Journey to the Cloud, part 1: Starting out"
    )
    assert "<img" not in start.content[0].value  # a summary, not the body


def test_syndicated_items_keep_the_ids_of_the_site_feed(out: Path) -> None:
    site_ids = {
        entry.link: entry.id for entry in feedparser.parse((out / "feed.xml").read_bytes()).entries
    }
    for path in ("syndication/knowledge-hub.xml", "syndication/linkedin.xml"):
        for entry in feedparser.parse((out / path).read_bytes()).entries:
            assert entry.id == site_ids[entry.link.split("?")[0]], path
    for item in json.loads((out / "syndication/reader.json").read_bytes())["items"]:
        assert item["id"] == site_ids[item["url"]]


def test_every_atom_and_rss_feed_links_to_the_websub_hub(out: Path) -> None:
    for path, data in _feeds(out).items():
        if path.endswith(".json"):
            assert json.loads(data)["hubs"] == [{"type": "WebSub", "url": HUB}], path
            continue
        links = feedparser.parse(data).feed.links
        assert [link.href for link in links if link.rel == "hub"] == [HUB], path


def test_a_rebuild_without_change_leaves_feeds_and_cards_byte_identical(
    site_dir: Path, out: Path, build_site: Build
) -> None:
    before = {**_feeds(out), **{p.name: p.read_bytes() for p in (out / "cards").glob("*.png")}}
    build_site(site_dir, now=NOW + timedelta(days=3))
    after = {**_feeds(out), **{p.name: p.read_bytes() for p in (out / "cards").glob("*.png")}}
    assert after == before
    assert len(before) == 7 * 3 + 3 + 3  # 7 scopes x 3 formats, 3 profiles, 3 cards


def test_changing_the_slug_of_a_post_with_an_id_keeps_its_feed_id(
    make_site: MakeSite, site_dir: Path, out: Path, build_site: Build
) -> None:
    def kept(feed_path: Path) -> tuple[str, str]:
        entry = next(
            e for e in feedparser.parse(feed_path.read_bytes()).entries if "moves" in e.title
        )
        return entry.id, entry.link

    old_id, old_link = kept(out / "feed.xml")
    make_site({"content/posts/kept.md": _files(slug_of_kept="moved")["content/posts/kept.md"]})
    build_site(site_dir)
    new_id, new_link = kept(out / "feed.xml")
    assert new_id == old_id == "tag:blog.test.example,2016-05-01:kept"
    assert (old_link, new_link) == (f"{BASE}posts/kept/", f"{BASE}posts/moved/")
    assert kept(out / "tags/cloud/rss.xml")[0] == old_id


# ---------------------------------------------------------------- link previews and cards


def test_every_post_page_has_an_og_image_of_an_existing_1200_by_627_png(out: Path) -> None:
    pages = _post_pages(out)
    assert set(pages) == {"start", "identity", "data", "kept"}
    for slug, soup in pages.items():
        url = _meta(soup, "og:image")
        assert urlsplit(url).scheme == "https", (slug, url)
        with Image.open(_output_file(out, url)) as image:
            assert (image.format, image.size) == ("PNG", (1200, 627)), slug
        assert (_meta(soup, "og:image:width"), _meta(soup, "og:image:height")) == ("1200", "627")
        assert _meta(soup, "og:image:alt")
        assert _meta(soup, "twitter:card") == "summary_large_image"
        assert _meta(soup, "twitter:image") == url
    assert _meta(pages["start"], "og:image") == f"{BASE}cards/start.png"
    assert _meta(pages["kept"], "og:image") == f"{BASE}images/lead.png"
    assert _meta(pages["kept"], "og:image:alt") == "A server room"


def test_post_pages_carry_open_graph_and_twitter_tags(out: Path) -> None:
    soup = _post_pages(out)["identity"]
    assert _meta(soup, "og:type") == "article"
    assert _meta(soup, "og:title") == TRICKY_TITLE
    assert _meta(soup, "og:url") == f"{BASE}posts/identity/"
    assert _meta(soup, "og:site_name") == "Test Council Notes"
    assert _meta(soup, "og:description") == _meta(soup, "description")
    assert _meta(soup, "article:published_time").startswith("2016-02-01T00:00:00")
    assert _meta(soup, "article:author") == f"{BASE}authors/ann/"
    assert _meta(soup, "twitter:title") == TRICKY_TITLE
    canonical = soup.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == f"{BASE}posts/identity/"


def test_json_ld_describes_the_post_its_author_and_its_series(out: Path) -> None:
    soup = _post_pages(out)["identity"]
    assert len(soup.find_all("script", type="application/ld+json")) == 1
    raw = _json_ld_text(soup)
    assert "</" not in raw and "<b>" not in raw  # nothing in it can end the element
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == TRICKY_TITLE
    assert data["datePublished"].startswith("2016-02-01")
    assert data["dateModified"].startswith("2016-02-01")
    assert data["mainEntityOfPage"]["@id"] == f"{BASE}posts/identity/"
    assert data["author"] == {
        "@type": "Person",
        "name": "Ann O'Reilly",
        "jobTitle": "Director of Information Systems",
        "worksFor": {"@type": "Organization", "name": "Northbridge City Council"},
        "url": f"{BASE}authors/ann/",
    }
    assert data["isPartOf"]["@type"] == "CreativeWorkSeries"
    assert data["isPartOf"]["name"] == "Journey to the Cloud"
    assert data["isPartOf"]["url"] == f"{BASE}series/cloud/"
    assert data["position"] == 2
    assert data["image"]["url"] == f"{BASE}cards/identity.png"
    standalone = json.loads(_json_ld_text(_post_pages(out)["kept"]))
    assert "isPartOf" not in standalone and "position" not in standalone


def test_a_card_shows_nothing_of_a_withheld_post(out: Path) -> None:
    # The internal part gets no page and no card in a public build.
    assert sorted(p.name for p in (out / "cards").glob("*.png")) == [
        "data.png",
        "identity.png",
        "start.png",
    ]


# ---------------------------------------------------------------- journeyblog check


def test_check_warns_about_what_would_spoil_a_link_preview(make_site: MakeSite) -> None:
    long_title = "A title that is far too long to be shown whole in a LinkedIn link preview"
    site = make_site(
        {
            "content/posts/long.md": post(
                long_title,
                summary="Too short.",
                image="/images/small.webp",
                image_alt="Small",
            ),
            "content/posts/remote.md": post(
                "Remote image",
                summary="A summary that is long enough to fill a link preview nicely, "
                "neither too short nor longer than the limit.",
                image="http://cdn.example.org/lead.gif",
            ),
            "content/posts/fine.md": post(
                "Just right",
                summary="A summary that is long enough to fill a link preview nicely, "
                "neither too short nor longer than the limit.",
            ),
        }
    )
    images = site / "content" / "images"
    images.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (600, 300), "red").save(images / "small.webp")

    result = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])

    assert result.exit_code == 0, result.output
    long_md, remote_md = site / "content/posts/long.md", site / "content/posts/remote.md"
    lines = result.output.splitlines()
    expected = [
        f"{long_md}:2: warning: title is {len(long_title)} characters",
        f"{long_md}:6: warning: description is 10 characters",
        f"{long_md}:7: warning: og:image /images/small.webp is WEBP, not PNG or JPEG",
        f"{long_md}:7: warning: og:image /images/small.webp is 600x300",
        f"{remote_md}:7: warning: og:image http://cdn.example.org/lead.gif is not an absolute",
        f"{remote_md}:7: warning: og:image http://cdn.example.org/lead.gif is not PNG or JPEG",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, result.output)
    assert not any("fine.md" in line for line in lines), result.output
