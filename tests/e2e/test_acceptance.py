"""Acceptance checks of the three promises on sites written here, not the example site.

Each site is built with the command line (`python -m journeyblog build SITE -o OUT --now …`)
and its output is read back with independent parsers: BeautifulSoup for pages, feedparser and
lxml for Atom and RSS, json for JSON Feed and the manifest, Pillow for images.

- the foundation: series blocks, a gap, awkward titles, CRLF/BOM files, a base path;
- never leak, never lose: canaries of withheld posts, broken sites, `check`, `audit`;
- syndication: every feed strictly, profiles, ids across renames, link previews.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from lxml import etree
from PIL import Image
from tests.conftest import snapshot

NOW = "2026-03-01T12:00:00Z"
BASE = "https://example.org/blog/"
HUB = "https://hub.example.net/"
ATOM = "{http://www.w3.org/2005/Atom}"
TRICKY = 'Shared Services & "Quick Wins" \u2013 Caf\u00e9 R\u00e9seau \u2601\ufe0f\U0001f680'

Files = Mapping[str, str | bytes]


# ---------------------------------------------------------------- helpers


def jb(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "journeyblog", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        env=env,
        check=False,
    )


def build(site: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return jb("build", site, "-o", out, "--now", NOW, "-j", "1", *extra)


def built(site: Path, out: Path, *extra: str) -> Path:
    result = build(site, out, *extra)
    assert result.returncode == 0, result.stderr
    return out


def write(root: Path, files: Files) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def front(body: str = "", **keys: object) -> str:
    """A post: `key: value` lines (values written as given) between '---', then the body."""
    lines = ["---", *(f"{key}: {value}" for key, value in keys.items()), "---", "", body]
    return "\n".join(lines)


def png(width: int, height: int, *, noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (30, 90, 140))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def feed_files(out: Path) -> Iterator[Path]:
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.name in {"feed.xml", "rss.xml", "feed.json"} or relative.startswith("syndication/"):
            yield path


def url_of(out: Path, path: Path) -> str:
    return BASE + path.relative_to(out).as_posix()


def file_for(out: Path, url: str) -> Path:
    """The output file an absolute URL of the site is served from."""
    assert url.startswith(BASE), url
    relative = urlsplit(url).path.removeprefix(urlsplit(BASE).path)
    target = out / relative
    return target / "index.html" if relative == "" or relative.endswith("/") else target


# ---------------------------------------------------------------- the foundation site

SITE_CONFIG = f"""\
title = "Fenwick & Dale Digital Diary"
base_url = "{BASE}"
description = "Notes from two district councils sharing one IT service, written for peers."
timezone = "Europe/London"
websub_hub = "{HUB}"

[syndication.knowledge-hub]
title = "Knowledge hub group"
format = "atom"
content = "full"
footer = "Originally published at {{url}}"

[syndication.linkedin]
title = "LinkedIn group"
format = "rss"
content = "summary"
utm = {{ source = "linkedin", medium = "social", campaign = "{{series}}" }}

[syndication.reader]
title = "Reader"
format = "json"
content = "summary"
"""
AUTHORS = """\
rory:
  name: "Rory O'Reilly"
  role: Chief Digital Officer
  organisation: Fenwick District Council
  bio: Rory runs the shared IT service for two district councils.
helene:
  name: H\u00e9l\u00e8ne Marchbank
  role: Infrastructure Lead
  organisation: Dale Borough Council
"""
SERIES = """\
shared-service:
  title: Building a Shared IT Service
  description: Two councils, one IT team, and a plan to merge their networks.
  planned: 5
data-roadmap:
  title: The Data Roadmap
  description: Moving a borough's reporting onto one warehouse.
"""
SUMMARY_1 = (
    "Why two district councils decided to run one IT team between them, and what each "
    "hoped to gain from it in the first three years."
)
FOUNDATION: dict[str, str | bytes] = {
    "journeyblog.toml": SITE_CONFIG,
    "content/authors.yml": AUTHORS,
    "content/series.yml": SERIES,
    "content/images/network-map.png": png(40, 30),
    "content/images/lead.png": png(1200, 627),
    # CRLF line endings (written below)
    "content/posts/shared-service/01-why-share.md": front(
        "We first talked about sharing in a car park after a regional meeting.\n\n"
        "The [warehouse post](/posts/what-the-warehouse-replaces/) explains the data side, "
        "and ![The network before we started](/images/network-map.png) shows the mess.\n\n"
        "## What each council wanted\n\nMostly, fewer contracts.\n",
        title='"Shared Service \u2013 1: Why Share at All"',
        date="2019-03-04",
        author="rory",
        security="Public",
        series="shared-service",
        part=1,
        tags="[Shared Services, strategy]",
        summary=f'"{SUMMARY_1}"',
        id='"tag:fenwick.example,2019-03-04:why-share"',
    ),
    # a UTF-8 byte-order mark (written below), and every awkward character in the title
    "content/posts/shared-service/02-quick-wins.md": front(
        "The first win was a single service desk number for both councils.\n",
        title="'" + TRICKY + "'",
        date="2019-04-10",
        author="helene",
        security="public",
        series="shared-service",
        part=2,
        tags="[Shared Services]",
        summary='"One service desk, one network contract, and a caf\u00e9 that became the '
        'meeting room: the quick wins of the first months."',
    ),
    "content/posts/shared-service/03-one-network.md": front(
        "Cut-over night went better than the rehearsal.\n",
        title='"Shared Service \u2013 3: One Network"',
        date="2019-05-20",
        author="rory",
        security="Public",
        series="shared-service",
        part=3,
        image="/images/lead.png",
        image_alt='"A rack of network switches"',
        canonical="https://knowledge.example.net/groups/shared/one-network",
        summary='"Merging two networks into one without a weekend outage: the plan, the '
        'cut-over night, and the two things we would change."',
    ),
    "content/posts/data-roadmap/1-inventory.md": front(
        "We counted 212 reports, most of them copies of each other.\n",
        title='"Data Roadmap \u2013 1: Inventory"',
        date="2020-01-06",
        author="helene",
        security="Public",
        series="data-roadmap",
        part=1,
    ),
    "content/posts/data-roadmap/2-warehouse.md": front(
        "The warehouse replaces four reporting servers.\n",
        title='"Data Roadmap \u2013 2: What the Warehouse Replaces"',
        slug="what-the-warehouse-replaces",
        date="2020-02-06",
        author="helene",
        security="Public",
        series="data-roadmap",
        part=2,
    ),
    "content/posts/data-roadmap/4-dashboards.md": front(
        "Dashboards came last, on purpose.\n",
        title='"Data Roadmap \u2013 4: Dashboards"',
        date="2020-04-06",
        author="helene",
        security="Public",
        series="data-roadmap",
        part=4,
    ),
    "content/posts/a-note-on-procurement.md": front(
        "Frameworks save time only when the lots fit what you buy.\n",
        title='"A Note on Procurement"',
        date="2018-11-11T09:30",
        author="rory",
        security="Public",
        tags="[procurement]",
    ),
    "content/pages/about.md": front(
        "Two councils, one [first post](/posts/why-share/).\n", title="About this diary"
    ),
}
CRLF = "content/posts/shared-service/01-why-share.md"
BOM = "content/posts/shared-service/02-quick-wins.md"
SHARED = ["why-share", "quick-wins", "one-network"]  # slugs of shared-service parts 1..3
ROADMAP = ["inventory", "what-the-warehouse-replaces", "dashboards"]  # parts 1, 2, 4


def write_foundation(root: Path) -> Path:
    write(root, FOUNDATION)
    crlf = root / CRLF
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    bom = root / BOM
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    return root


@pytest.fixture(scope="module")
def foundation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("foundation")
    site = write_foundation(root / "site")
    return site, built(site, root / "out")


@pytest.fixture(scope="module")
def out(foundation: tuple[Path, Path]) -> Path:
    return foundation[1]


def post_page(out: Path, slug: str) -> BeautifulSoup:
    return soup(out / "posts" / slug / "index.html")


# ---------------------------------------------------------------- issue 3: the foundation


def test_every_post_of_the_held_out_site_is_published(out: Path) -> None:
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    urls = sorted(entry["url"] for entry in manifest["published"])
    slugs = [*SHARED, *ROADMAP, "a-note-on-procurement"]
    assert urls == sorted(f"{BASE}posts/{slug}/" for slug in slugs)
    for slug in slugs:
        assert (out / "posts" / slug / "index.html").is_file()


def _series_block(page: BeautifulSoup) -> Tag:
    block = page.find(class_="series-block")
    assert isinstance(block, Tag)
    return block


def _parts(block: Tag) -> list[tuple[str, str | None, bool]]:
    """(text of "Part N", href or None, is current) for each entry of the part list."""
    found = []
    for item in block.select(".series-parts li"):
        link = item.find("a")
        href = link["href"] if isinstance(link, Tag) else None
        found.append(
            (text_of(item.find(class_="part-number")), href, item.get("aria-current") == "page")
        )
    return found  # type: ignore[return-value]


def _pager(block: Tag, rel: str) -> str | None:
    link = block.find("a", rel=rel)
    return str(link["href"]) if isinstance(link, Tag) else None


@pytest.mark.parametrize("index", range(3))
def test_each_part_shows_its_place_neighbours_and_the_part_list(out: Path, index: int) -> None:
    slug = SHARED[index]
    page = post_page(out, slug)
    block = _series_block(page)
    assert f"Part {index + 1} of 5" in text_of(block)
    assert "Building a Shared IT Service" in text_of(block.find("h2"))
    # The same place at the top of the post, linking to the series page.
    top = [a for a in page.find_all("a") if a.get("href") == "/blog/series/shared-service/"]
    line = f"Part {index + 1} of 5 in Building a Shared IT Service"
    assert any(line in text_of(a.parent) for a in top)
    expected = [
        (f"Part {n}", None if n == index + 1 else f"/blog/posts/{SHARED[n - 1]}/", n == index + 1)
        for n in (1, 2, 3)
    ]
    expected += [("Part 4", None, False), ("Part 5", None, False)]  # planned: never links
    assert _parts(block) == expected
    assert _pager(block, "prev") == (f"/blog/posts/{SHARED[index - 1]}/" if index else None)
    assert _pager(block, "next") == (f"/blog/posts/{SHARED[index + 1]}/" if index < 2 else None)


def test_a_gap_is_listed_in_order_without_inventing_the_missing_part(out: Path) -> None:
    for position, slug in enumerate(ROADMAP):
        block = _series_block(post_page(out, slug))
        assert [number for number, _, _ in _parts(block)] == ["Part 1", "Part 2", "Part 4"]
        assert "Part 3" not in text_of(block)
        part = (1, 2, 4)[position]
        assert f"Part {part} of 4" in text_of(block)
    last = _series_block(post_page(out, "dashboards"))
    assert _pager(last, "prev") == "/blog/posts/what-the-warehouse-replaces/"
    assert _pager(last, "next") is None
    middle = _series_block(post_page(out, "what-the-warehouse-replaces"))
    assert _pager(middle, "next") == "/blog/posts/dashboards/"
    landing = soup(out / "series" / "data-roadmap" / "index.html")
    hrefs = [a["href"] for a in landing.select("main a") if "/posts/" in str(a.get("href"))]
    ordered = list(dict.fromkeys(hrefs))
    assert ordered == [f"/blog/posts/{slug}/" for slug in ROADMAP]
    assert "Part 3" not in text_of(landing.find("main"))


def test_awkward_titles_read_the_same_in_html_and_in_every_format_of_feed(out: Path) -> None:
    page = post_page(out, "quick-wins")
    assert text_of(page.find("h1")) == TRICKY
    assert text_of(page.find("title")).startswith(TRICKY)
    raw = (out / "posts/quick-wins/index.html").read_text(encoding="utf-8")
    assert "Shared Services &amp; " in raw  # escaped, once
    assert "&amp;amp;" not in raw
    meta = page.find("meta", property="og:title")
    assert isinstance(meta, Tag) and meta["content"] == TRICKY
    for name in ("feed.xml", "rss.xml", "series/shared-service/feed.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0
        assert f"Building a Shared IT Service, part 2: {TRICKY}" in [
            entry.title for entry in parsed.entries
        ]
        tree = etree.fromstring((out / name).read_bytes())
        titles = [t.text for t in tree.iter(f"{ATOM}title", "title")]
        assert f"Building a Shared IT Service, part 2: {TRICKY}" in titles
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert f"Building a Shared IT Service, part 2: {TRICKY}" in [item["title"] for item in items]
    sitemap = etree.fromstring((out / "sitemap.xml").read_bytes())
    assert sitemap is not None
    assert text_of(soup(out / "series/shared-service/index.html").find("main")).count(TRICKY) >= 1


def test_crlf_bom_and_an_apostrophe_in_a_name_are_read_as_written(
    foundation: tuple[Path, Path],
) -> None:
    site, out = foundation
    assert (site / CRLF).read_bytes().count(b"\r\n") > 5
    assert (site / BOM).read_bytes().startswith(b"\xef\xbb\xbf")
    first = post_page(out, "why-share")
    assert text_of(first.find("h1")) == "Shared Service \u2013 1: Why Share at All"
    assert "What each council wanted" in text_of(first.find("h2", id=True))
    assert "\r" not in (out / "posts/why-share/index.html").read_text(encoding="utf-8")
    assert "Rory O'Reilly" in text_of(first.find("main"))
    assert "Chief Digital Officer" in text_of(first.find("main"))
    assert "\ufeff" not in (out / "posts/quick-wins/index.html").read_text(encoding="utf-8")
    author = soup(out / "authors/rory/index.html")
    assert "Rory O'Reilly" in text_of(author.find("h1"))
    atom = feedparser.parse((out / "authors/rory/feed.xml").read_bytes())
    assert all("Rory O'Reilly" in entry.author for entry in atom.entries)


@pytest.mark.parametrize(("name", "version"), [("feed.xml", "atom10"), ("rss.xml", "rss20")])
def test_both_site_feeds_parse_and_every_link_in_them_is_absolute(
    out: Path, name: str, version: str
) -> None:
    parsed = feedparser.parse((out / name).read_bytes())
    assert parsed.bozo == 0 and parsed.version == version
    assert len(parsed.entries) == 7
    links = [link.href for link in parsed.feed.links]
    for entry in parsed.entries:
        links += [link.href for link in entry.links]
        for content in [*entry.get("content", []), entry.get("summary_detail", {})]:
            html = BeautifulSoup(content.get("value", ""), "html.parser")
            links += [str(a["href"]) for a in html.find_all(href=True)]
            links += [str(img["src"]) for img in html.find_all(src=True)]
    assert links
    for link in links:
        assert urlsplit(link).scheme in {"http", "https"} and urlsplit(link).netloc, link


def _internal_references(out: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(out.rglob("*.html")):
        page = soup(path)
        for node in page.find_all(["a", "link", "script", "img", "source", "form", "meta"]):
            for attribute in ("href", "src", "action"):
                value = node.get(attribute)
                if isinstance(value, str):
                    yield path, value
            srcset = node.get("srcset")
            if isinstance(srcset, str):
                for candidate in srcset.split(","):
                    yield path, candidate.split()[0]
            if node.name == "meta" and node.get("http-equiv") == "refresh":
                yield path, str(node["content"]).split("url=", 1)[1]
    for path in sorted(out.rglob("*.css")):
        for value in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text(encoding="utf-8")):
            yield path, value


def test_a_base_path_is_honoured_by_every_internal_link_and_asset(out: Path) -> None:
    checked = 0
    for path, value in _internal_references(out):
        page_url = url_of(out, path)
        url = urljoin(page_url, value)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or parts.netloc != "example.org":
            continue
        if value.startswith("/"):
            assert value.startswith("/blog/"), f"{path}: {value}"
        assert url.startswith(BASE), f"{path}: {value}"
        target = file_for(out, url.split("#")[0].split("?")[0])
        assert target.is_file(), f"{path}: {value} -> {target}"
        checked += 1
    assert checked > 100
    for path in feed_files(out):
        text = path.read_text(encoding="utf-8")
        assert "https://example.org/posts/" not in text and '"/posts/' not in text
    sitemap = etree.fromstring((out / "sitemap.xml").read_bytes())
    locations = [node.text or "" for node in sitemap.iter("{*}loc")]
    assert locations and all(loc.startswith(BASE) for loc in locations)
    assert file_for(out, BASE).is_file()


# ---------------------------------------------------------------- issue 5: syndication


def _strict_atom(path: Path, url: str) -> list[str]:
    tree = etree.fromstring(path.read_bytes())
    assert tree.tag == f"{ATOM}feed", path
    for child in ("id", "title", "updated"):
        assert (tree.findtext(f"{ATOM}{child}") or "").strip(), (path, child)
    rels = {link.get("rel"): link.get("href") for link in tree.findall(f"{ATOM}link")}
    assert rels.get("self") == url, path
    assert rels.get("hub") == HUB, path
    ids = []
    for entry in tree.findall(f"{ATOM}entry"):
        for child in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{child}") or "").strip(), (path, child)
        ids.append(entry.findtext(f"{ATOM}id") or "")
    return ids


def _strict_rss(path: Path, url: str) -> list[str]:
    tree = etree.fromstring(path.read_bytes())
    assert tree.tag == "rss" and tree.get("version") == "2.0", path
    channel = tree.find("channel")
    assert channel is not None
    for child in ("title", "link", "description"):
        assert (channel.findtext(child) or "").strip(), (path, child)
    rels = {link.get("rel"): link.get("href") for link in channel.findall(f"{ATOM}link")}
    assert rels.get("self") == url, path
    assert rels.get("hub") == HUB, path
    ids = []
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid is not None and guid.text, path
        permalink = guid.get("isPermaLink", "true") == "true"
        if permalink:
            assert urlsplit(guid.text).scheme == "https", (path, guid.text)
        if guid.text.startswith("tag:"):
            assert not permalink, (path, guid.text)
        assert (item.findtext("title") or "").strip()
        ids.append(guid.text)
    return ids


def _strict_json(path: Path, url: str) -> list[str]:
    feed = json.loads(path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == url
    assert urlsplit(feed["home_page_url"]).scheme == "https"
    assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
    ids = []
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert urlsplit(item["url"]).scheme == "https"
        ids.append(item["id"])
    return ids


def _kind(path: Path) -> str:
    if path.suffix == ".json":
        return "json"
    root = etree.fromstring(path.read_bytes())
    return "atom" if root.tag == f"{ATOM}feed" else "rss"


def test_the_build_writes_every_feed_the_documentation_lists(out: Path) -> None:
    written = {path.relative_to(out).as_posix() for path in feed_files(out)}
    scopes = [
        "",
        "series/shared-service/",
        "series/data-roadmap/",
        "authors/rory/",
        "authors/helene/",
        "tags/shared-services/",
        "tags/strategy/",
        "tags/procurement/",
    ]
    expected = {f"{scope}{name}" for scope in scopes for name in ("feed.xml", "rss.xml")}
    expected |= {f"{scope}feed.json" for scope in scopes}
    expected |= {"syndication/knowledge-hub.xml", "syndication/linkedin.xml"}
    expected |= {"syndication/reader.json"}
    assert written == expected


def test_every_feed_parses_and_passes_strict_checks(out: Path) -> None:
    checked = 0
    site_ids = {entry.id for entry in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    for path in feed_files(out):
        url = url_of(out, path)
        kind = _kind(path)
        if kind != "json":
            parsed = feedparser.parse(path.read_bytes())
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
            assert parsed.version == {"atom": "atom10", "rss": "rss20"}[kind]
        ids = {"atom": _strict_atom, "rss": _strict_rss, "json": _strict_json}[kind](path, url)
        assert ids and set(ids) <= site_ids, path
        checked += 1
    assert checked == 27


def _urls_in_feed(path: Path) -> Iterator[str]:
    if path.suffix == ".json":
        feed = json.loads(path.read_text(encoding="utf-8"))
        htmls = [item.get("content_html", "") for item in feed["items"]]
        for item in feed["items"]:
            yield item["url"]
            if "image" in item:
                yield item["image"]
    else:
        parsed = feedparser.parse(path.read_bytes())
        htmls = []
        for entry in parsed.entries:
            yield from (link.href for link in entry.links)
            htmls += [content.value for content in entry.get("content", [])]
            htmls.append(entry.get("summary", ""))
    for html in htmls:
        document = BeautifulSoup(html, "html.parser")
        yield from (str(node["href"]) for node in document.find_all(href=True))
        yield from (str(node["src"]) for node in document.find_all(src=True))


def test_every_url_in_feed_content_is_absolute(out: Path) -> None:
    seen = set()
    for path in feed_files(out):
        for url in _urls_in_feed(path):
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.netloc, f"{path}: {url}"
            seen.add(url)
    assert f"{BASE}images/network-map.png" in seen
    assert f"{BASE}posts/what-the-warehouse-replaces/" in seen


def test_a_series_feed_holds_exactly_its_published_parts_in_part_order(out: Path) -> None:
    for slug, parts in (("shared-service", SHARED), ("data-roadmap", ROADMAP)):
        for name in ("feed.xml", "rss.xml"):
            parsed = feedparser.parse((out / "series" / slug / name).read_bytes())
            assert [entry.link for entry in parsed.entries] == [
                f"{BASE}posts/{part}/" for part in parts
            ]
        items = json.loads((out / "series" / slug / "feed.json").read_text(encoding="utf-8"))
        assert [item["url"] for item in items["items"]] == [f"{BASE}posts/{p}/" for p in parts]


def test_the_knowledge_hub_gets_full_content_with_the_footer(out: Path) -> None:
    parsed = feedparser.parse((out / "syndication/knowledge-hub.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 7
    for entry in parsed.entries:
        html = BeautifulSoup(entry.content[0].value, "html.parser")
        last = html.find_all("p")[-1]
        assert text_of(last) == f"Originally published at {entry.link}"
        assert last.find("a")["href"] == entry.link  # type: ignore[index]
    first = next(e for e in parsed.entries if e.link.endswith("/why-share/"))
    body = BeautifulSoup(first.content[0].value, "html.parser")
    assert "in a car park after a regional meeting" in text_of(body)
    assert "What each council wanted" in text_of(body)
    assert body.find("img")["src"] == f"{BASE}images/network-map.png"  # type: ignore[index]


def test_linkedin_gets_summaries_with_utm_tagged_links(out: Path) -> None:
    parsed = feedparser.parse((out / "syndication/linkedin.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 7
    campaigns = {}
    for entry in parsed.entries:
        link = urlsplit(entry.link)
        query = parse_qs(link.query)
        assert query["utm_source"] == ["linkedin"] and query["utm_medium"] == ["social"]
        campaigns[link.path.split("/")[-2]] = query["utm_campaign"][0]
        text = text_of(BeautifulSoup(entry.summary, "html.parser"))
        assert "Cut-over night" not in text and "car park" not in text  # no full bodies
    assert campaigns["why-share"] == "shared-service"
    assert campaigns["dashboards"] == "data-roadmap"
    assert campaigns["a-note-on-procurement"] == "standalone"
    why = next(e for e in parsed.entries if "/why-share/" in e.link)
    assert SUMMARY_1 in text_of(BeautifulSoup(why.summary, "html.parser"))


def test_every_post_page_has_an_og_image_of_an_existing_1200_by_627_png(out: Path) -> None:
    for slug in [*SHARED, *ROADMAP, "a-note-on-procurement"]:
        page = post_page(out, slug)
        meta = page.find("meta", property="og:image")
        assert isinstance(meta, Tag), slug
        url = str(meta["content"])
        assert url.startswith(BASE), url
        with Image.open(file_for(out, url)) as image:
            assert image.format == "PNG" and image.size == (1200, 627), slug
    lead = post_page(out, "one-network").find("meta", property="og:image")
    assert isinstance(lead, Tag) and lead["content"] == f"{BASE}images/lead.png"


def _meta(page: BeautifulSoup, **attrs: str) -> str:
    node = page.find("meta", attrs={**attrs})
    assert isinstance(node, Tag), attrs
    return str(node["content"])


def test_open_graph_twitter_canonical_and_json_ld(out: Path) -> None:
    for slug, part in (("why-share", 1), ("one-network", 3), ("a-note-on-procurement", None)):
        page = post_page(out, slug)
        permalink = f"{BASE}posts/{slug}/"
        canonical = page.find("link", rel="canonical")
        assert isinstance(canonical, Tag)
        expected = (
            "https://knowledge.example.net/groups/shared/one-network"
            if slug == "one-network"
            else permalink
        )
        assert canonical["href"] == expected  # front matter canonical wins
        title = text_of(page.find("h1"))
        assert _meta(page, property="og:title") == title
        assert _meta(page, property="og:type") == "article"
        assert _meta(page, property="og:site_name") == "Fenwick & Dale Digital Diary"
        assert _meta(page, property="og:url") in {permalink, expected}
        assert _meta(page, property="og:description")
        assert _meta(page, name="twitter:card") == "summary_large_image"
        blocks = [
            json.loads(script.string or "")
            for script in page.find_all("script", type="application/ld+json")
        ]
        posting = next(block for block in blocks if block.get("@type") == "BlogPosting")
        assert posting["headline"] == title
        author = posting["author"]
        assert author["@type"] == "Person"
        if slug == "why-share":
            assert author["name"] == "Rory O'Reilly"
            assert author["jobTitle"] == "Chief Digital Officer"
            assert author["worksFor"]["name"] == "Fenwick District Council"
        if part is None:
            assert "isPartOf" not in posting
        else:
            series = posting["isPartOf"]
            assert series["@type"] == "CreativeWorkSeries"
            assert series["name"] == "Building a Shared IT Service"
            assert posting["position"] == part or series.get("position") == part


def test_a_renamed_slug_keeps_the_feed_id_and_redirects_the_old_address(
    tmp_path: Path,
) -> None:
    site = write_foundation(tmp_path / "site")
    out = built(site, tmp_path / "out")
    before = {e.link: e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    old = f"{BASE}posts/a-note-on-procurement/"
    post = site / "content/posts/a-note-on-procurement.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("date:", "slug: buying-well\ndate:", 1),
        encoding="utf-8",
    )
    built(site, out)
    after = {e.link: e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    new = f"{BASE}posts/buying-well/"
    assert old not in after and after[new] == before[old]
    redirect = soup(out / "posts/a-note-on-procurement/index.html")
    refresh = redirect.find("meta", attrs={"http-equiv": "refresh"})
    assert isinstance(refresh, Tag) and str(refresh["content"]).endswith("/blog/posts/buying-well/")
    assert redirect.find("link", rel="canonical")["href"] == new  # type: ignore[index]


def _updated_by_id(out: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path in feed_files(out):
        key = path.relative_to(out).as_posix()
        if path.suffix == ".json":
            items = json.loads(path.read_text(encoding="utf-8"))["items"]
            found[key] = {item["id"]: item["date_modified"] for item in items}
        elif _kind(path) == "atom":
            tree = etree.fromstring(path.read_bytes())
            found[key] = {
                e.findtext(f"{ATOM}id") or "": e.findtext(f"{ATOM}updated") or ""
                for e in tree.iter(f"{ATOM}entry")
            }
    return found


def test_rebuilds_leave_feeds_byte_identical_and_other_entries_unchanged(tmp_path: Path) -> None:
    site = write_foundation(tmp_path / "site")
    out = built(site, tmp_path / "out")
    first = {p.relative_to(out).as_posix(): p.read_bytes() for p in feed_files(out)}
    built(site, out)
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in feed_files(out)} == first
    before = _updated_by_id(out)
    edited = site / "content/posts/a-note-on-procurement.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nA second paragraph.\n", encoding="utf-8"
    )
    built(site, out)
    after = _updated_by_id(out)
    assert after.keys() == before.keys()
    for key, entries in before.items():
        for entry_id, updated in entries.items():
            assert after[key][entry_id] == updated, (key, entry_id)
    untouched = out / "series/shared-service/feed.xml"
    assert untouched.read_bytes() == first["series/shared-service/feed.xml"]


def test_check_warns_about_what_would_spoil_a_link_preview(tmp_path: Path) -> None:
    long_summary = "x" * 320
    site = write(
        tmp_path / "site",
        {
            "journeyblog.toml": SITE_CONFIG,
            "content/authors.yml": AUTHORS,
            "content/series.yml": SERIES,
            "content/images/anim.gif": b"GIF89a" + b"\0" * 40,
            "content/images/small.png": png(600, 300),
            "content/images/huge.png": png(1300, 1400, noise=True),
            "content/posts/gif.md": front("Body.\n", **_preview("gif", "/images/anim.gif")),
            "content/posts/http.md": front(
                "Body.\n", **_preview("http", "http://cdn.example.net/a.png")
            ),
            "content/posts/small.md": front("Body.\n", **_preview("small", "/images/small.png")),
            "content/posts/huge.md": front("Body.\n", **_preview("huge", "/images/huge.png")),
            "content/posts/long-title.md": front(
                "Body.\n", **_preview("long-title", None, title="T" * 71)
            ),
            "content/posts/short-summary.md": front(
                "Body.\n", **_preview("short-summary", None, summary="Too short.")
            ),
            "content/posts/long-summary.md": front(
                "Body.\n", **_preview("long-summary", None, summary=long_summary)
            ),
            "content/posts/fine.md": front("Body.\n", **_preview("fine", None)),
        },
    )
    assert (site / "content/images/huge.png").stat().st_size > 5 * 1024 * 1024
    result = jb("check", site, "--now", NOW)
    warnings = result.stdout + result.stderr
    assert "Traceback" not in warnings
    for name, line, words in (
        ("gif", 7, "PNG or JPEG"),
        ("http", 7, "https"),
        ("small", 7, "1200"),
        ("huge", 7, "5 MB"),
        ("long-title", 2, "70"),
        ("short-summary", 6, "100"),
        ("long-summary", 6, "300"),
    ):
        lines = [w for w in warnings.splitlines() if f"content/posts/{name}.md:{line}:" in w]
        assert lines and all(words in w for w in lines[:1]), (name, warnings)
    assert "content/posts/fine.md" not in warnings


def _preview(
    slug: str, image: str | None, *, title: str | None = None, summary: str | None = None
) -> dict[str, object]:
    keys: dict[str, object] = {
        "title": f'"{title or "A post about " + slug}"',
        "date": "2020-01-01",
        "author": "rory",
        "security": "Public",
        "summary": f'"{summary or SUMMARY_1}"',
    }
    if image is not None:
        keys |= {"image": image, "image_alt": '"A picture"'}
    return keys


# ---------------------------------------------------------------- issue 4: never leak

LEVELS_CONFIG = """\
title = "Harbour Board IT"
base_url = "https://example.org/blog/"
security_levels = ["public", "internal", "restricted"]
"""
KINDS = ("int", "res", "draft", "fut")


def canaries(kind: str) -> dict[str, str]:
    """The unique strings of one withheld post, by where they appear."""
    return {
        "title": f"Lantern {kind}titlecanary review",
        "slug": f"{kind}-slugcanary",
        "id": f"tag:harbour.example,2020:{kind}idcanary",
        "summary": f"{kind}summarycanary",
        "body": f"{kind}bodycanary",
        "tag": f"{kind}tagcanary",
        "image": f"{kind}imagecanary",
    }


def canary_post(kind: str, part: int, **keys: object) -> str:
    c = canaries(kind)
    return front(
        f"Our {c['body']} plan covers the exit from the data centre in detail.\n\n"
        f"![Cabinet](/images/{c['image']}.png)\n",
        title=f'"{c["title"]}"',
        slug=c["slug"],
        id=f'"{c["id"]}"',
        date="2020-03-01",
        author="rory",
        series="exit",
        part=part,
        tags=f"[{c['tag']}, exit]",
        summary=f'"The {c["summary"]} sentence stays inside the organisation for now."',
        **keys,
    )


PUBLIC_IDS = {"tag:harbour.example,2020:exit-1", "tag:harbour.example,2020:exit-6"}


def leak_files(extra_config: str = "") -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "journeyblog.toml": LEVELS_CONFIG + extra_config,
        "content/authors.yml": AUTHORS,
        "content/series.yml": (
            "exit:\n  title: Leaving the Data Centre\n  description: Six steps.\n  planned: 6\n"
        ),
        "content/posts/exit/1-start.md": front(
            "Everyone reads this.\n\n<!-- level: internal -->\n"
            "The blockintcanary paragraph names the supplier.\n<!-- /level -->\n\n"
            "<!-- level: restricted -->\nThe blockrescanary paragraph names the price.\n"
            "<!-- /level -->\n\nAnd everyone reads this too.\n",
            title='"Exit \u2013 1: Where We Start"',
            id='"tag:harbour.example,2020:exit-1"',
            date="2020-01-01",
            author="rory",
            security="Public",
            series="exit",
            part=1,
            tags="[exit]",
        ),
        "content/posts/exit/2.md": canary_post("int", 2, security="Internal"),
        "content/posts/exit/3.md": canary_post("res", 3, security="restricted"),
        "content/posts/exit/4.md": canary_post("draft", 4, security="Public", draft="true"),
        "content/posts/exit/5.md": canary_post("fut", 5, security="Public").replace(
            "date: 2020-03-01", "date: 2026-06-01"
        ),
        "content/posts/exit/6-done.md": front(
            "The last rack left on a Tuesday.\n",
            title='"Exit \u2013 6: Done"',
            id='"tag:harbour.example,2020:exit-6"',
            date="2020-06-01",
            author="helene",
            security="PUBLIC",
            series="exit",
            part=6,
            tags="[exit]",
        ),
    }
    for kind in KINDS:
        files[f"content/images/{canaries(kind)['image']}.png"] = png(8, 8)
    return files


def _all_bytes(out: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        yield relative, relative.encode()  # paths leak too
        if path.is_file():
            yield relative, path.read_bytes()


def _found(out: Path, kind: str) -> set[str]:
    """Which canaries of `kind` (and of its level blocks) appear anywhere in the output."""
    needles = {name: value.lower().encode() for name, value in canaries(kind).items()}
    needles["block"] = f"block{kind}canary".encode()
    found = set()
    for _, data in _all_bytes(out):
        lowered = data.lower()
        found |= {name for name, needle in needles.items() if needle in lowered}
    return found


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("leak") / "site", leak_files())


def test_a_public_build_holds_no_canary_of_any_withheld_post(
    leak_site: Path, tmp_path: Path
) -> None:
    out = built(leak_site, tmp_path / "out")
    assert (out / "posts/start/index.html").is_file()  # the build did publish
    assert "Everyone reads this" in (out / "posts/start/index.html").read_text("utf-8")
    for kind in KINDS:
        assert _found(out, kind) == set(), kind
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    assert {entry["id"] for entry in manifest["published"]} == PUBLIC_IDS
    assert manifest["excluded"] == {"level": 2, "draft": 1, "future": 1}
    # Skipped parts: the list and the links go around them, nothing is renumbered.
    block = _series_block(post_page(out, "start"))
    linked = [href for _, href, _ in _parts(block) if href]
    assert linked == ["/blog/posts/done/"]
    assert _pager(block, "next") == "/blog/posts/done/"


def test_an_internal_build_shows_internal_but_not_restricted(
    leak_site: Path, tmp_path: Path
) -> None:
    out = built(leak_site, tmp_path / "out", "--audience", "internal")
    assert _found(out, "int") == {"title", "slug", "id", "summary", "body", "tag", "image", "block"}
    for kind in ("res", "draft", "fut"):
        assert _found(out, kind) == set(), kind
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    assert {entry["id"] for entry in manifest["published"]} == PUBLIC_IDS | {canaries("int")["id"]}


def test_drafts_and_future_posts_need_their_flags(leak_site: Path, tmp_path: Path) -> None:
    out = built(leak_site, tmp_path / "out", "--drafts", "--future")
    assert "title" in _found(out, "draft") and "title" in _found(out, "fut")
    assert _found(out, "int") == set() and _found(out, "res") == set()


def test_placeholder_parts_say_not_published_and_nothing_else(tmp_path: Path) -> None:
    site = write(tmp_path / "site", leak_files('excluded_parts = "placeholder"\n'))
    out = built(site, tmp_path / "out")
    for kind in KINDS:
        assert _found(out, kind) == set(), kind
    for slug in ("start", "done"):
        text = text_of(_series_block(post_page(out, slug)))
        for part in (2, 3, 4, 5):
            assert f"Part {part} \u2014 not published" in text
    landing = text_of(soup(out / "series/exit/index.html").find("main"))
    assert landing.count("Not published") == 4
    block = _series_block(post_page(out, "done"))
    items = {text_of(li.find(class_="part-number")): li for li in block.select(".series-parts li")}
    placeholder = items["Part 4"]
    assert text_of(placeholder) == "Part 4 \u2014 not published"
    assert placeholder.find("a") is None


def test_the_audit_command_finds_a_planted_leak(leak_site: Path, tmp_path: Path) -> None:
    out = built(leak_site, tmp_path / "out")
    clean = jb("audit", out, "--site", leak_site, "--audience", "public")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    about = out / "archive/index.html"
    about.write_text(
        about.read_text(encoding="utf-8").replace(
            "</main>", f"<p>{canaries('int')['title']}</p></main>"
        ),
        encoding="utf-8",
    )
    leaked = jb("audit", out, "--site", leak_site, "--audience", "public")
    assert leaked.returncode == 1
    report = leaked.stdout + leaked.stderr
    assert "archive/index.html" in report and "Traceback" not in report


# ---------------------------------------------------------------- issue 4: never lose

GOOD_SITE: dict[str, str | bytes] = {
    "journeyblog.toml": 'title = "Moorland Shared ICT"\nbase_url = "https://example.org/"\n',
    "content/authors.yml": AUTHORS,
    "content/series.yml": SERIES,
    "content/posts/shared-service/01-first.md": front(
        "First.\n",
        title='"First"',
        date="2019-01-01",
        author="rory",
        security="Public",
        series="shared-service",
        part=1,
    ),
}


def _post(name: str = "fine", **changes: object) -> str:
    keys: dict[str, object] = {
        "title": f'"A {name} post"',
        "date": "2019-02-01",
        "author": "rory",
        "security": "Public",
    }
    keys |= changes
    return front("Body text.\n", **{k: v for k, v in keys.items() if v is not None})


BROKEN: dict[str, tuple[Files, list[tuple[str, int | None, str]]]] = {
    "invalid yaml": (
        {"content/posts/bad.md": _post(summary="Phase 2: the network")},
        [("content/posts/bad.md", 6, "YAML")],
    ),
    "missing keys": (
        {"content/posts/bad.md": front("Body.\n", title="Only a title")},
        [
            ("content/posts/bad.md", None, "author"),
            ("content/posts/bad.md", None, "date"),
            ("content/posts/bad.md", None, "security"),
        ],
    ),
    "unknown author": (
        {"content/posts/bad.md": _post(author="nobody")},
        [("content/posts/bad.md", 4, "nobody")],
    ),
    "unknown level": (
        {"content/posts/bad.md": _post(security="Confidential")},
        [("content/posts/bad.md", 5, "Confidential")],
    ),
    "missing level": (
        {"content/posts/bad.md": _post(security=None)},
        [("content/posts/bad.md", None, "security")],
    ),
    "part without series": (
        {"content/posts/bad.md": _post(part=3)},
        [("content/posts/bad.md", 6, "series")],
    ),
    "duplicate part": (
        {"content/posts/shared-service/99-again.md": _post(series="shared-service", part=1)},
        [
            ("content/posts/shared-service/01-first.md", 7, "99-again.md"),
            ("content/posts/shared-service/99-again.md", 7, "01-first.md"),
        ],
    ),
    "not utf-8": (
        {"content/posts/bad.md": _post().replace("Body text.", "Caf\u00e9 text.").encode("cp1252")},
        [("content/posts/bad.md", 8, "UTF-8")],
    ),
    "control character": (
        {"content/posts/bad.md": _post().replace("Body text.", "Pasted\x0bfrom a word processor.")},
        [("content/posts/bad.md", 8, "U+000B")],
    ),
    "not a date": (
        {"content/posts/bad.md": _post(date="next Tuesday")},
        [("content/posts/bad.md", 3, "next Tuesday")],
    ),
    "slug escapes": (
        {"content/posts/bad.md": _post(slug="../../etc/passwd")},
        [("content/posts/bad.md", 6, "../../etc/passwd")],
    ),
    "alias escapes": (
        {"content/posts/bad.md": _post(aliases="[../../etc/passwd]")},
        [("content/posts/bad.md", 6, "../../etc/passwd")],
    ),
    "image escapes": (
        {"content/posts/bad.md": _post(image="../../etc/passwd")},
        [("content/posts/bad.md", 6, "../../etc/passwd")],
    ),
    "same slug": (
        {
            "content/posts/one.md": _post("one", slug="twin"),
            "content/posts/two.md": _post("two", slug="twin"),
        },
        [("content/posts/one.md", 6, "twin"), ("content/posts/two.md", 6, "twin")],
    ),
    "same id": (
        {
            "content/posts/one.md": _post("one", id='"tag:x.example,2019:same"'),
            "content/posts/two.md": _post("two", id='"tag:x.example,2019:same"'),
        },
        [("content/posts/one.md", 6, "same"), ("content/posts/two.md", 6, "same")],
    ),
    "broken config": (
        {"journeyblog.toml": 'title = "Moorland\nbase_url = "https://example.org/"\n'},
        [("journeyblog.toml", 1, "")],
    ),
    "broken authors.yml": (
        {"content/authors.yml": AUTHORS + "  organisation: [unclosed\n"},
        [("content/authors.yml", 10, "YAML")],
    ),
    "broken series.yml": (
        {"content/series.yml": SERIES + "bad: {title: x\n"},
        [("content/series.yml", 8, "YAML")],
    ),
}
LINE = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<message>\S.*)$")


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    return built(write(root / "site", GOOD_SITE), root / "out")


def _error_lines(stderr: str) -> list[tuple[str, int | None, str]]:
    found = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        if match and ("content/" in match["path"] or match["path"].endswith(".toml")):
            number = int(match["line"]) if match["line"] else None
            found.append((match["path"], number, match["message"]))
    return found


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_site_fails_with_one_line_per_fault_and_keeps_the_old_output(
    good_output: Path, tmp_path: Path, case: str
) -> None:
    changes, expected = BROKEN[case]
    site = write(write(tmp_path / "site", GOOD_SITE), changes)
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    before = snapshot(out)
    result = build(site, out)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    errors = _error_lines(result.stderr)
    for path, line, words in expected:
        matching = [
            (p, n, m) for p, n, m in errors if p.endswith(path) and (line is None or n == line)
        ]
        assert matching, (case, path, line, result.stderr)
        assert any(words in m for _, _, m in matching), (case, words, result.stderr)
    for p, _, _ in errors:
        assert p.startswith(f"{site}/"), p  # the file as the user can open it
    assert snapshot(out) == before
    assert not any(p.name.startswith(".") and "staging" in p.name for p in tmp_path.iterdir())
    if case.startswith("broken ") and case.endswith(".yml"):
        # One error for the file, not an "unknown author/series" on every post naming it.
        assert len(errors) == 1, result.stderr


def test_several_faults_are_all_reported_in_file_order(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            **GOOD_SITE,
            "content/posts/a-bad-yaml.md": _post(summary="one: two"),
            "content/posts/b-bad-author.md": _post(author="nobody"),
            "content/posts/c/d-bad-date.md": _post(date="2019-13-01"),
            "content/posts/e-bad-level.md": _post(security="Secret"),
        },
    )
    result = build(site, tmp_path / "out")
    assert result.returncode == 1
    reported = [(Path(p).name, n) for p, n, _ in _error_lines(result.stderr)]
    assert reported == [
        ("a-bad-yaml.md", 6),
        ("b-bad-author.md", 4),
        ("d-bad-date.md", 3),
        ("e-bad-level.md", 5),
    ]
    assert not (tmp_path / "out").exists()


def test_check_warns_about_gaps_order_overdue_alt_text_and_dead_links(tmp_path: Path) -> None:
    part = {"author": "rory", "security": "Public", "series": "shared-service"}
    site = write(
        tmp_path / "site",
        {
            **GOOD_SITE,
            "content/series.yml": SERIES.replace("planned: 5", "planned: 5\n  status: ongoing"),
            # part 2 is missing (a gap); part 3 is dated before part 1 (against the order);
            # the series is ongoing with parts 4 and 5 planned and quiet for years (overdue).
            "content/posts/shared-service/03-third.md": front(
                "See ![](/images/missing-alt.png) and [the plan](/posts/no-such-post/).\n",
                title='"Third"',
                date="2018-06-01",
                part=3,
                **part,
            ),
            "content/images/missing-alt.png": png(10, 10),
        },
    )
    result = jb("check", site, "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout + result.stderr
    assert "Traceback" not in report
    lines = report.splitlines()

    def warned(*words: str) -> bool:
        return any(all(word.lower() in line.lower() for word in words) for line in lines)

    assert warned("shared-service", "2"), report  # the gap names the missing part
    assert warned("03-third.md", "date"), report
    assert warned("series.yml:1:", "shared-service", "overdue", "2019-01-01"), report
    assert warned("03-third.md", "alt"), report
    assert warned("03-third.md", "/posts/no-such-post/"), report
    # Quiet is measured from the newest part by date (part 1 here), not the highest part.
    recent = jb("check", site, "--now", "2019-02-01T00:00:00Z")
    assert "overdue" not in recent.stdout + recent.stderr
    # A complete, recent series without links or images has none of these warnings.
    clean = jb("check", write(tmp_path / "good", GOOD_SITE), "--now", "2019-01-02T00:00:00Z")
    assert clean.returncode == 0
    quiet = [
        line.split("warning:", 1)[1].lower()
        for line in (clean.stdout + clean.stderr).splitlines()
        if "warning:" in line
    ]
    for word in ("no part", "dated before", "overdue", "alt text", "does not publish"):
        assert not any(word in line for line in quiet), quiet


def test_a_post_link_to_a_page_the_audience_cannot_see_is_a_warning(tmp_path: Path) -> None:
    site = write(tmp_path / "site", leak_files())
    post = site / "content/posts/exit/6-done.md"
    post.write_text(
        post.read_text(encoding="utf-8")
        + f"\nSee [step two](/posts/{canaries('int')['slug']}/).\n",
        encoding="utf-8",
    )
    result = jb("check", site, "--now", NOW)
    report = result.stdout + result.stderr
    assert any("6-done.md" in line and "int-slugcanary" in line for line in report.splitlines())
