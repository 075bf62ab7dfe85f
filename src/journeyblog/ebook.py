"""Series -> EPUB 3 books: every published part of a series in one e-book, made with ebooklib.

A book holds a cover drawn as the social cards are (cards.py), a title page, a navigation
document with every part and its headings, each part as its own XHTML file (omnibus.py makes
its ids its own and its links between parts links within the book), and the pictures the
parts show, as the site publishes them. It is made from the Site alone, which holds only
what this build publishes: no source is read, and the leak audit reads every entry.

The same series always gives the same bytes: the book's identifier is the series' address,
its modified date the newest part's, and the zip is written again with every entry's time
fixed (ebooklib stamps the clock's), `mimetype` first and stored. The series' Atom feed
states the book's length, so the feed's maker needs the book too (`Book.length`): a book is
kept under SITE_DIR/.journeyblog-cache/books/<key>.epub, which the other reads back, as a
fresh output folder's build does; a copy there is used only if every entry's checksum holds.
That cache is the only disk this module writes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from ebooklib import epub
from lxml import etree

from journeyblog.cards import CardText, cached_card, card_key, find_fonts, image_file
from journeyblog.digests import digest
from journeyblog.fingerprint import Fingerprints
from journeyblog.i18n import Language
from journeyblog.model import Author, Enclosure, Job, SecurityLevel, Series, Site
from journeyblog.omnibus import CollectedPart, book_file, collect
from journeyblog.pictures import file_digests

EPUB_TYPE = "application/epub+zip"
CACHE_FOLDER = "books"  # under the build cache, SITE_DIR/.journeyblog-cache/
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_EPUB_TYPE = f"{{{OPS}}}type"
# Every zip entry bears this time: the earliest a zip can say.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# The picture formats every EPUB 3 reading system shows (core media types), by first bytes.
_FORMATS: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png", "image/png"),
    (b"\xff\xd8\xff", 0, ".jpg", "image/jpeg"),
    (b"GIF8", 0, ".gif", "image/gif"),
    (b"WEBP", 8, ".webp", "image/webp"),
)
STYLE = """\
body { font-family: serif; line-height: 1.5; margin: 0 1em; }
h1, h2, h3, h4, h5, h6 { font-family: sans-serif; line-height: 1.25; }
img { max-width: 100%; height: auto; }
figure { margin: 1em 0; }
figcaption, .meta, .part-number, .source { color: #555; font-size: 0.9em; }
.part-number { font-family: sans-serif; font-weight: bold; text-transform: uppercase; margin: 0; }
.security-label { font-family: sans-serif; font-weight: bold; }
.title-page { text-align: center; margin-top: 20%; }
.cover { text-align: center; margin: 0; }
pre { white-space: pre-wrap; font-size: 0.85em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 0.2em 0.4em; }
"""


@dataclass(frozen=True, slots=True)
class Book:
    """One series' EPUB: where it is published, what it is made from, and how."""

    series: str  # the series' slug
    path: str  # in the output: "series/<slug>/<slug>.epub"
    url: str  # absolute
    key: str
    make: Callable[[], bytes]
    # The length of the book once this process has made it: the feed of its series states
    # it (a number, not the bytes). A process forked with the book has a copy of its own.
    made_length: list[int] = field(default_factory=list, compare=False, repr=False)

    @property
    def job(self) -> Job:
        # Its key stands alone (no site-wide part): a book is made again only when what it
        # holds changes.
        return Job(self.path, self.key, self.data, site_wide=False)

    @property
    def enclosure(self) -> Enclosure:
        """The book as its series' feed offers it."""
        return Enclosure(url=self.url, media_type=EPUB_TYPE, key=self.key, length=self.length)

    def data(self) -> bytes:
        """The book's bytes; their length is kept for the feed, if this process makes it."""
        data = self.make()
        self.made_length[:] = [len(data)]
        return data

    def length(self) -> int:
        return self.made_length[0] if self.made_length else len(self.data())


def book_path(series: Series) -> str:
    return f"series/{series.slug}/{series.slug}.epub"


def series_books(
    site: Site,
    site_dir: Path,
    themes: Sequence[Path],
    cache_dir: Path | None,
    *,
    pictures: Sequence[Job],
    language: Language,
    versions: str = "",
    fingerprints: Fingerprints | None = None,
) -> list[Book]:
    """A Book for every series of the site (each has a part this audience may read).

    `pictures` are the jobs of the pictures' copies (pictures.picture_jobs): a part shows a
    picture's full copy, and the book holds the same bytes. A picture published as it is
    (a GIF) is read from its file. The key covers the parts with their bodies, the site's
    settings, the cover's text and fonts, and each picture's bytes (by digest). With
    `cache_dir` (the build cache), books are kept there, named by their key and `versions`
    (journeyblog's own code: versions.VERSIONS), so other code never reads one back.
    `fingerprints`: the digests the rest of the plan shares, if given.
    """
    fonts = find_fonts(themes)
    copies = {job.path: job for job in pictures}
    prints = fingerprints or Fingerprints()
    version = metadata.version("ebooklib")
    books = []
    for series in site.series:
        shown: dict[str, tuple[str, Callable[[], bytes]]] = {}
        files: dict[str, Path] = {}
        for url in _picture_urls(series):
            path = unquote(urlsplit(url).path).removeprefix(site.files_path)
            copy = copies.get(path)
            if copy is not None:
                shown[url] = (copy.key, copy.make)
                continue
            file = image_file(site, site_dir, url)
            if file is not None:
                files[url] = file
        for url, found in file_digests(files, None).items():
            shown[url] = (found, functools.partial(files[url].read_bytes))
        cover = cover_text(site, series, language)
        cover_key = card_key(cover, fonts)
        cached = cache_dir / "cards" / f"{cover_key}.png" if cache_dir is not None else None
        key = digest(
            (
                f"ebooklib={version}",
                repr(site.info),
                prints.of(series),
                language.digest,
                cover_key,
                *(f"{url}={made_from}" for url, (made_from, _) in sorted(shown.items())),
            )
        )
        make = functools.partial(
            _make,
            site,
            series,
            functools.partial(cached_card, cover, fonts, cached),
            {url: read for url, (_, read) in shown.items()},
            language,
        )
        if cache_dir is not None:
            kept = cache_dir / CACHE_FOLDER / f"{digest((versions, key))}.epub"
            make = functools.partial(cached_book, make, kept)
        path = book_path(series)
        books.append(Book(series.slug, path, site.absolute(path), key, make))
    return books


def cached_book(make: Callable[[], bytes], cached: Path) -> bytes:
    """The book kept at `cached` if it is whole, else made and kept there (under a temporary
    name, then renamed: a build stopped while keeping it leaves none)."""
    try:
        data = cached.read_bytes()
    except OSError:
        pass
    else:
        if is_whole_book(data):
            return data
    data = make()
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, cached)
    except OSError:  # a read-only site folder: it only costs making it again
        with contextlib.suppress(OSError):
            temporary.unlink()
    return data


def is_whole_book(data: bytes) -> bool:
    """Whether `data` is a zip whose first entry is `mimetype` and every entry's checksum
    holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()[:1] == ["mimetype"] and archive.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return False


def _picture_urls(series: Series) -> list[str]:
    """Each picture URL the parts show, root-relative, as their bodies have it."""
    urls: dict[str, None] = {}
    for post in series.parts:
        published = dict(post.body.urls)
        for src in post.images:
            url = urljoin(post.url, published.get(src, src))
            if not urlsplit(url).scheme:
                urls[url] = None
    return list(urls)


def _make(
    site: Site,
    series: Series,
    cover: Callable[[], bytes],
    pictures: Mapping[str, Callable[[], bytes]],
    language: Language,
) -> bytes:
    return series_epub(
        site,
        series,
        cover=cover(),
        pictures={url: read() for url, read in pictures.items()},
        language=language,
    )


def cover_text(site: Site, series: Series, language: Language) -> CardText:
    """What the cover says: the series, how many parts, its authors and their organisations."""
    authors = _authors(series)
    count = len(series.parts)
    if len(authors) == 1:
        affiliation = ", ".join(part for part in (authors[0].role, authors[0].organisation) if part)
    else:
        affiliation = ", ".join(dict.fromkeys(author.organisation for author in authors))
    return CardText(
        series=language.pgettext("one series", "Series"),
        part=language.ngettext("%(num)s part", "%(num)s parts", count) % {"num": count},
        title=series.title,
        author=", ".join(author.name for author in authors),
        affiliation=affiliation,
        site_title=site.info.title,
    )


def _authors(series: Series) -> list[Author]:
    return list({post.author.slug: post.author for post in series.parts}.values())


def modified(series: Series) -> datetime:
    """When the book last changed: its newest part's date (or update), never the build's."""
    return max(max(post.date, post.updated) for post in series.parts)


def series_epub(
    site: Site,
    series: Series,
    *,
    cover: bytes,
    pictures: Mapping[str, bytes],
    language: Language,
) -> bytes:
    """The EPUB of `series`: the same arguments always give the same bytes.

    `cover` is a PNG; `pictures` maps each picture URL the parts show (root-relative) to its
    bytes. A picture not among them, or of a format reading systems need not show, stands
    as its alternative text, linked to where it is published.
    """
    tag = site.info.language
    book = epub.EpubBook()
    book.set_identifier(site.absolute(series.url.removeprefix(site.info.base_path)))
    book.set_title(series.title)
    book.set_language(tag)
    for number, author in enumerate(_authors(series), 1):
        book.add_author(author.name, uid=f"creator-{number}")
    if series.description:
        book.add_metadata("DC", "description", series.description)
    book.add_metadata("DC", "publisher", site.info.title)
    book.add_metadata("DC", "date", series.parts[0].date.date().isoformat())
    book.add_metadata("DC", "source", site.absolute(series.url.removeprefix(site.info.base_path)))

    style = epub.EpubItem(
        uid="style", file_name="style.css", media_type="text/css", content=STYLE.encode()
    )
    book.add_item(style)
    book.set_cover("cover.png", cover, create_page=False)
    names = _picture_names(pictures)
    for url, (name, media_type) in names.items():
        book.add_item(
            epub.EpubItem(
                uid=f"picture-{name.split('/')[-1].split('.')[0]}",
                file_name=name,
                media_type=media_type,
                content=pictures[url],
            )
        )

    cover_page = _Document(
        "cover",
        "cover.xhtml",
        language.say("Cover"),
        _cover_page(series, tag, cover_text(site, series, language)),
    )
    title_page = _Document(
        "title", "title.xhtml", series.title, _title_page(series, site, language)
    )
    parts = collect(site, series, book=True, language=language)
    chapters = [
        _Document(
            f"part-{part.number}",
            book_file(part.number),
            part.post.title,
            _chapter(part, series, language, names),
        )
        for part in parts
    ]
    for document in (cover_page, title_page, *chapters):
        book.add_item(document)
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=language.say("Contents"))
    book.add_item(nav)
    book.toc = [_toc_entry(part) for part in parts]
    book.spine = [cover_page, title_page, nav, *chapters]

    out = io.BytesIO()
    writer = epub.EpubWriter(
        out,
        book,
        # Not compressed here: _fixed compresses each entry once, as it writes it again.
        {
            "mtime": modified(series).astimezone(UTC),
            "epub3_pages": False,
            "raise_exceptions": True,
            "compresslevel": 0,
        },
    )
    writer.process()
    writer.write()
    return _fixed(out.getvalue())


class _Document(epub.EpubHtml):  # type: ignore[misc]
    """An XHTML file of the book, written whole here (ebooklib's would parse it as HTML)."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title)
        self.content = self._xhtml = content

    def get_content(self, default: object = None) -> bytes:
        return self._xhtml


def _toc_entry(part: CollectedPart) -> object:
    """A part in the navigation document, with its headings nested by level."""
    file = book_file(part.number)
    title = part.label
    top = epub.Link(f"{file}#{part.anchor}", title, f"nav-{part.number}")
    entries: list[tuple[object, list[object]]] = []
    for index, heading in enumerate(part.toc, 1):
        link = epub.Link(f"{file}#{heading.id}", heading.text, f"nav-{part.number}-{index}")
        if entries and heading.level > min(h.level for h in part.toc):
            entries[-1][1].append(link)
        else:
            entries.append((link, []))
    if not entries:
        return top
    return (top, [(link, inner) if inner else link for link, inner in entries])


def _picture_names(pictures: Mapping[str, bytes]) -> dict[str, tuple[str, str]]:
    """url -> (file name in the book, media type) of each picture of a format books show."""
    names: dict[str, tuple[str, str]] = {}
    for url, data in pictures.items():
        for signature, at, suffix, media_type in _FORMATS:
            if data[at : at + len(signature)] == signature:
                names[url] = (f"pictures/{len(names) + 1}{suffix}", media_type)
                break
    return names


# ---------------------------------------------------------------- XHTML


def _q(name: str) -> str:
    return f"{{{XHTML}}}{name}"


def _element(
    parent: etree._Element, name: str, text: str = "", **attributes: str
) -> etree._Element:
    # `class_` is class; `aria_labelledby` is aria-labelledby.
    named = {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items()}
    element = etree.SubElement(parent, _q(name), named)
    if text:
        element.text = text
    return element


def _document(title: str, language: str) -> tuple[etree._Element, etree._Element]:
    """An XHTML document's root and body."""
    root = etree.Element(_q("html"), nsmap={None: XHTML, "epub": OPS})
    root.set("lang", language)
    root.set(_XML_LANG, language)
    head = _element(root, "head")
    _element(head, "meta", charset="utf-8")
    _element(head, "title", title)
    _element(head, "link", rel="stylesheet", type="text/css", href="style.css")
    return root, _element(root, "body")


def _bytes(root: etree._Element) -> bytes:
    return bytes(
        etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")
    )


def _cover_page(series: Series, language: str, text: CardText) -> bytes:
    root, body = _document(series.title, language)
    section = _element(body, "section", class_="cover")
    section.set(_EPUB_TYPE, "cover")
    _element(section, "img", src="cover.png", alt=text.alt)
    return _bytes(root)


def _title_page(series: Series, site: Site, language: Language) -> bytes:
    """The series, its authors with their organisations, its dates and its security level."""
    format_date = language.format_date
    root, body = _document(series.title, site.info.language)
    section = _element(body, "section", class_="title-page")
    section.set(_EPUB_TYPE, "titlepage")
    _element(section, "h1", series.title)
    if series.description:
        _element(section, "p", series.description)
    for author in _authors(series):
        line = ", ".join(part for part in (author.name, author.role, author.organisation) if part)
        _element(section, "p", line, class_="author")
    first, last = series.parts[0].date, series.parts[-1].date
    dates = format_date(first)
    if format_date(last) != dates:
        dates += f" \N{EN DASH} {format_date(last)}"
    count = len(series.parts)
    parts = language.ngettext("%(num)s part", "%(num)s parts", count) % {"num": count}
    _element(section, "p", f"{parts} · {dates}", class_="meta")
    level = max(post.level for post in series.parts)
    _element(section, "p", _security(language, level), class_="security-label")
    _element(section, "p", site.info.title, class_="meta")
    return _bytes(root)


def _chapter(
    part: CollectedPart,
    series: Series,
    language: Language,
    names: Mapping[str, tuple[str, str]],
) -> bytes:
    post = part.post
    root, body = _document(post.title, language.tag)
    section = _element(body, "section", role="doc-chapter")
    section.set(_EPUB_TYPE, "chapter")
    section.set("aria-labelledby", part.anchor)
    header = _element(section, "header")
    said = language.say("Part %(part)s of %(total)s") % {"part": part.number, "total": series.total}
    _element(header, "p", said, class_="part-number")
    _element(header, "h1", post.title, id=part.anchor)
    author = post.author
    byline = ", ".join(bit for bit in (author.name, author.role, author.organisation) if bit)
    _element(header, "p", f"{language.format_date(post.date)} · {byline}", class_="meta")
    _element(header, "p", _security(language, post.level), class_="security-label")
    section.append(_body(str(part.html), names, part.post.permalink))
    source = _element(section, "p", language.say("Published at") + " ", class_="source")
    _element(source, "a", post.permalink, href=post.permalink)
    return _bytes(root)


def _security(language: Language, level: SecurityLevel) -> str:
    return language.say("Security level: %(level)s") % {"level": language.say(level.label)}


def _body(html: str, names: Mapping[str, tuple[str, str]], page_url: str) -> etree._Element:
    """A part's body as one XHTML <div>: parsed as HTML, every element put in the XHTML
    namespace; a picture the book holds points at its file, anything else a reading system
    would have to fetch becomes a link to it."""
    container = lxml.html.fragment_fromstring(html, create_parent="div")
    container.set("class", "body")
    for element in list(container.iter()):
        if not isinstance(element.tag, str):
            continue  # a comment
        if element.tag in ("script", "style"):
            element.drop_tree()
        elif element.tag in ("img", "iframe", "video", "audio", "embed", "object", "source"):
            _place(element, names, page_url)
    for element in container.iter():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = _q(element.tag)
    return container


def _place(
    element: lxml.html.HtmlElement, names: Mapping[str, tuple[str, str]], page_url: str
) -> None:
    """A picture the book holds points at its file; anything else becomes a link to it."""
    src = element.get("src") or element.get("data") or ""
    for attribute in ("srcset", "sizes", "loading", "decoding"):
        element.attrib.pop(attribute, None)
    if element.tag == "img" and src in names:
        element.set("src", names[src][0])
        return
    # Absolute: a book has no site around it to resolve "/images/scan.bmp" against. Within a
    # link already, the text alone (a link may not hold a link).
    linked = any(ancestor.tag == "a" for ancestor in element.iterancestors())
    if src and not linked:
        link = lxml.html.Element("a", href=urljoin(page_url, src))
    else:
        link = lxml.html.Element("span")
    link.text = element.get("alt") or element.get("title") or src or ""
    link.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, link)


def _fixed(data: bytes) -> bytes:
    """The zip `data` written again: every entry at ZIP_TIME with the same attributes,
    `mimetype` first and stored, the rest compressed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        entries = sorted(source.infolist(), key=lambda entry: entry.filename != "mimetype")
        for entry in entries:
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.create_system = 3  # Unix, on every system
            info.external_attr = 0o100644 << 16
            stored = entry.filename == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry))
    return out.getvalue()
