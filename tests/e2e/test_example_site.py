"""The example site at the repo root, built into tmp_path and read back with an HTML parser.

Generic on purpose: what to expect is read from content/ (with plain YAML, not journeyblog's
own parser), and pages are found in the output, so new example posts need no test changes.
The example is bilingual: these tests read its default language, at the root; its other
languages' twins are the business of test_bilingual.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from tests.conftest import NOW, REPO

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Expected:
    """One post of content/, as its front matter says it should appear."""

    source: Path
    title: str
    date: datetime
    author: dict[str, str]
    level: str
    series: str | None
    part: int | None
    published: bool


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    _, front, _ = re.split(r"^---[ \t]*$", text, maxsplit=2, flags=re.MULTILINE)
    meta = yaml.safe_load(front)
    assert isinstance(meta, dict), path
    return meta


def _date(value: object, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


CONFIG = tomllib.loads((REPO / "journeyblog.toml").read_text(encoding="utf-8-sig"))
LANGUAGES = [str(tag) for tag in CONFIG.get("languages", [CONFIG.get("language", "en-GB")])]
DEFAULT = LANGUAGES[0].split("-")[0].lower()
OTHERS = {tag.split("-")[0].lower() for tag in LANGUAGES[1:]}


def _said(value: object) -> object:
    """A data file's text in the default language: as written, or its entry of a table."""
    if isinstance(value, dict):
        return next(text for tag, text in value.items() if tag.split("-")[0].lower() == DEFAULT)
    return value


def _in_default_language(path: Path) -> bool:
    """Whether a content file is the default language's ("x.md"), not a twin ("x.cy.md")."""
    return path.suffixes[-2:-1] not in ([f".{tag}"] for tag in OTHERS)


ZONE = ZoneInfo(str(CONFIG.get("timezone", "Europe/London")))
LEVELS = [str(level).lower() for level in CONFIG.get("security_levels", ["public"])]
AUDIENCE = str(CONFIG.get("audience", LEVELS[0])).lower()
AUTHORS: dict[str, dict[str, str]] = {
    slug: {key: str(_said(value)) for key, value in entry.items()}
    for slug, entry in yaml.safe_load(
        (REPO / "content/authors.yml").read_text(encoding="utf-8-sig")
    ).items()
}
SERIES_FILE = REPO / "content/series.yml"
SERIES: dict[str, dict[str, object]] = {
    slug: {key: _said(value) for key, value in entry.items()}
    for slug, entry in (
        yaml.safe_load(SERIES_FILE.read_text(encoding="utf-8-sig")) or {}
        if SERIES_FILE.exists()
        else {}
    ).items()
}


def _expected() -> list[Expected]:
    posts = []
    for path in sorted(
        p for p in (REPO / "content/posts").rglob("*.md") if _in_default_language(p)
    ):
        meta = _front_matter(path)
        when = _date(meta["date"], ZONE)
        level = str(meta["security"]).strip().lower()
        published = (
            LEVELS.index(level) <= LEVELS.index(AUDIENCE) and not meta.get("draft") and when <= NOW
        )
        posts.append(
            Expected(
                source=path,
                title=str(meta["title"]),
                date=when,
                author=AUTHORS[str(meta["author"])],
                level=level,
                series=str(meta["series"]) if meta.get("series") else None,
                part=int(str(meta["part"])) if meta.get("part") else None,
                published=published,
            )
        )
    return posts


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("example") / "out"
    build(BuildOptions(site_dir=REPO, out_dir=output, now=NOW))
    return output


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(element: Tag | None) -> str:
    assert element is not None
    return " ".join(element.get_text(" ", strip=True).split())


def _target(out: Path, url: str) -> Path:
    """The file a root-relative URL is served from."""
    path = unquote(urlsplit(url).path).lstrip("/")
    base = urlsplit(str(CONFIG["base_url"])).path.strip("/")
    if base:
        assert path.startswith(base + "/") or path == base, url
        path = path[len(base) :].lstrip("/")
    return out / path / "index.html" if path == "" or path.endswith("/") else out / path


def _post_pages(out: Path) -> dict[str, BeautifulSoup]:
    """Each post page in the output, by its h1."""
    pages = {}
    for path in sorted((out / "posts").glob("*/index.html")):
        soup = _soup(path)
        assert soup.h1 is not None, path
        pages[soup.h1.get_text()] = soup
    return pages


def _published() -> list[Expected]:
    return [post for post in _expected() if post.published]


def _total(series: str) -> int:
    """The Y of "Part X of Y": the highest part published, or planned."""
    parts = [p.part or 0 for p in _published() if p.series == series]
    if CONFIG.get("excluded_parts") == "placeholder":
        parts += [p.part or 0 for p in _expected() if p.series == series]
    planned = SERIES[series].get("planned")
    return max([*parts, planned if isinstance(planned, int) else 0])


def test_the_example_is_what_the_issue_asks_for() -> None:
    posts = _published()
    by_series: dict[str, list[Expected]] = {}
    for post in posts:
        if post.series:
            by_series.setdefault(post.series, []).append(post)
    main = max(by_series.values(), key=len)
    main_slug = main[0].series or ""
    assert len(main) >= 5
    planned = SERIES[main_slug].get("planned")
    assert isinstance(planned, int) and planned > max(p.part or 0 for p in main)
    others = [parts for slug, parts in by_series.items() if slug != main_slug]
    assert any(
        parts[0].author["name"] != main[0].author["name"]
        and parts[0].author["organisation"] != main[0].author["organisation"]
        for parts in others
    )
    assert any(post.series is None for post in posts)
    titles = [
        str(_front_matter(path)["title"]).lower()
        for path in (REPO / "content/pages").glob("*.md")
        if _in_default_language(path)
    ]
    assert any("about" in title for title in titles)
    assert any("accessibility" in title for title in titles)


def test_every_published_post_has_exactly_one_page(out: Path) -> None:
    titles = [post.title for post in _published()]
    assert len(titles) == len(set(titles)), "two example posts share a title"
    assert sorted(_post_pages(out)) == sorted(titles)


@pytest.mark.parametrize("post", _published(), ids=lambda post: post.source.stem)
def test_post_page_shows_date_author_and_security_level(out: Path, post: Expected) -> None:
    soup = _post_pages(out)[post.title]
    time = soup.select_one("article time")
    assert _text(time) == f"{post.date.day} {MONTHS[post.date.month - 1]} {post.date.year}"
    block = soup.select_one(".author-block")
    text = _text(block)
    for field in ("name", "role", "organisation"):
        assert post.author[field] in text, (field, text)
    assert f"Security level: {post.level.capitalize()}" in _text(soup.select_one("article"))


@pytest.mark.parametrize("post", _published(), ids=lambda post: post.source.stem)
def test_post_page_has_the_series_block(out: Path, post: Expected) -> None:
    pages = _post_pages(out)
    soup = pages[post.title]
    block = soup.select_one(".series-block")
    if post.series is None:
        assert block is None
        return
    assert block is not None
    series_title = str(SERIES[post.series]["title"])
    total = _total(post.series)
    assert f"Part {post.part} of {total} in {series_title}" in _text(block)

    siblings = sorted(
        (p for p in _published() if p.series == post.series), key=lambda p: p.part or 0
    )
    items = block.select("ol > li")
    numbers = [int(re.findall(r"\d+", _text(item))[0]) for item in items]
    assert numbers == sorted(numbers)
    written = [p.part or 0 for p in siblings]
    assert [n for n in numbers if n in written] == written
    assert [n for n in numbers if n not in written] == list(range(max(written) + 1, total + 1))

    current = block.select('[aria-current="page"]')
    assert len(current) == 1
    assert post.title in _text(current[0])
    for item, number in zip(items, numbers, strict=True):
        if number == post.part:
            continue
        link = item.find("a")
        if number in written:
            sibling = next(p for p in siblings if p.part == number)
            assert link is not None and sibling.title in _text(item)
            assert _target(out, str(link["href"])).is_file()
            assert _soup(_target(out, str(link["href"]))).h1 is not None
        else:
            assert link is None, "a planned part is not a link"
            assert "coming soon" in _text(item).lower()

    index = written.index(post.part or 0)
    for rel, neighbour in (
        ("prev", siblings[index - 1] if index > 0 else None),
        ("next", siblings[index + 1] if index + 1 < len(siblings) else None),
    ):
        link = block.select_one(f'a[rel="{rel}"]')
        if neighbour is None:
            assert link is None
            continue
        assert link is not None
        target = _target(out, str(link["href"]))
        assert target.is_file()
        assert _text(_soup(target).h1) == neighbour.title


def _internal_urls(soup: BeautifulSoup) -> Iterator[str]:
    for tag, attribute in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if not isinstance(value, str):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("#") or not value:
                continue
            yield value


def test_every_internal_link_resolves(out: Path) -> None:
    checked = 0
    missing = []
    for page in sorted(out.rglob("*.html")):
        soup = _soup(page)
        ids = {str(element["id"]) for element in soup.find_all(id=True)}
        for url in _internal_urls(soup):
            assert url.startswith("/"), (page, url)  # relative URLs break under aliases
            if not _target(out, url).is_file():
                missing.append((page.relative_to(out).as_posix(), url))
            checked += 1
        for a in soup.find_all("a", href=True):
            href = str(a["href"])
            if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
                missing.append((page.relative_to(out).as_posix(), href))
    assert missing == []
    assert checked > 200


def test_series_landing_pages_list_the_parts_in_order(out: Path) -> None:
    for slug in {post.series for post in _published() if post.series}:
        soup = _soup(out / "series" / slug / "index.html")
        assert _text(soup.h1) == SERIES[slug]["title"]
        titles = [
            p.title
            for p in sorted(
                (p for p in _published() if p.series == slug), key=lambda p: p.part or 0
            )
        ]
        linked = [_text(a) for a in soup.select("main a") if _text(a) in titles]
        assert linked == titles
