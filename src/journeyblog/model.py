"""The site model: frozen values that pages, feeds and the audit read.

Every value here is complete when it is constructed (by `site.assemble`) and never changes
afterwards. Cross-references are values (`PostLink`) or slugs, never back-pointers, so the
model has no cycles. No I/O and no logic beyond derived properties.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from journeyblog.figures import Picture, finish
from journeyblog.reads import Reads, body_mark
from journeyblog.reads import current as current_reading


class Extra(Mapping[str, Any]):
    """Front matter `extra:`, read-only: the theme's own data, never interpreted by the build.

    Nested mappings are Extra too and lists are tuples. Unlike MappingProxyType it pickles
    and compares by value.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items = dict(items or {})

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Extra({self._items!r})"

    def __reduce__(self) -> tuple[type[Extra], tuple[dict[str, Any]]]:
        return (Extra, (self._items,))

    def __eq__(self, other: object) -> bool:
        """Equal when a theme would print them alike: keys in the same order, values of the
        same types (a Mapping's own equality takes `1`, `1.0` and `true` for one another)."""
        if not isinstance(other, Mapping):
            return NotImplemented
        return _typed(self) == _typed(other)

    __hash__ = None  # type: ignore[assignment]


def _typed(value: object) -> object:
    if isinstance(value, Mapping):
        return ("mapping", tuple((key, _typed(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("sequence", tuple(_typed(item) for item in value))
    return (type(value), value)


@dataclass(frozen=True, slots=True, order=True)
class SecurityLevel:
    """A classification; a higher `rank` is more sensitive."""

    rank: int
    name: str  # lower case, as configured: "public"

    @property
    def label(self) -> str:
        """As readers see it: "Public"."""
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    slug: str
    name: str
    role: str
    organisation: str
    url: str | None = None  # the author's own site, absolute
    bio: str = ""
    avatar: str | None = None  # site-relative URL of an image
    page_url: str  # this site's page for the author


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    name: str  # as the author wrote it: "Open Data"
    slug: str  # in URLs: "open-data"
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """One entry of a table of contents."""

    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class Body:
    """A post's or page's rendered HTML, its search words, its table of contents and its
    word count.

    The two long texts are held packed (zlib, in `packed` at `spans`), and unpacked each time
    a page, a feed or the search index asks for them: a large site's model holds its bodies
    in a fraction of their size. Many bodies share one `Packed` (packed_together), so that
    worker processes forked with the model share it untouched.

    Everything a body decides is here, and any of it read while a rendering is recorded is
    noted (reads.recording): a page that shows a post's body, or its reading time, is made
    again when that changes.
    """

    key: str  # rendered.Rendered.key: all it was made from; "" if not known
    packed: Packed
    spans: tuple[int, int, int]  # where its html starts, where it ends and its words do
    headings: tuple[Heading, ...] = ()
    # What the page made of the rendered HTML: relative links and pictures as published
    # (as rendered -> as published), and the pictures it shows, sized (figures.finish).
    urls: tuple[tuple[str, str], ...] = ()
    pictures: tuple[Picture, ...] = ()
    words: int = 0

    @classmethod
    def of(
        cls, html: str, search_words: str, toc: Sequence[Heading] = (), *, words: int = 0
    ) -> Body:
        """A body just rendered: its key is given once known (dataclasses.replace)."""
        return cls.from_packed("", pack(html), pack(search_words), tuple(toc), words=words)

    @classmethod
    def from_packed(
        cls, key: str, html: bytes, search_words: bytes, toc: tuple[Heading, ...], *, words: int
    ) -> Body:
        """A body from its texts packed (pack), as the build cache keeps them."""
        spans = (0, len(html), len(html) + len(search_words))
        return cls(key, Packed(html + search_words), spans, toc, words=words)

    @property
    def packed_html(self) -> bytes:
        return bytes(self._packed(0))

    @property
    def packed_words(self) -> bytes:
        return bytes(self._packed(1))

    def _packed(self, part: int) -> memoryview:
        """The packed html (part 0) or words (part 1), where they are in `packed`."""
        return memoryview(self.packed.data)[self.spans[part] : self.spans[part + 1]]

    def _unpacked(self, part: int) -> str:
        return unpack(self._packed(part))

    def __eq__(self, other: object) -> bool:
        """Equal when all it holds is: wherever its texts are packed."""
        if not isinstance(other, Body):
            return NotImplemented
        if self is other:
            return True
        return self._held() == other._held() and (
            (self.packed is other.packed and self.spans == other.spans)
            or (self.packed_html, self.packed_words) == (other.packed_html, other.packed_words)
        )

    def __hash__(self) -> int:
        return hash((self._held(), self.packed_html, self.packed_words))

    def _held(self) -> tuple[object, ...]:
        return self.key, self.headings, self.urls, self.pictures, self.words

    def __getattribute__(self, name: str) -> Any:
        reading = current_reading()
        if reading is not None:
            (reading.counted if name == "words" else reading.bodies)[id(self)] = self
        return object.__getattribute__(self, name)

    @property
    def made_from(self) -> str:
        """`key` and what the page made of the HTML: stands for all the html is made from."""
        if not (self.urls or self.pictures):
            return self.key
        return f"{self.key}|{self.urls!r}|{self.pictures!r}"

    @property
    def mark(self) -> str:
        """What stands for it in a rendering's notes (reads.body_mark)."""
        return body_mark(self.key, self.made_from)

    @property
    def html(self) -> Markup:
        """The body as a page shows it: pictures sized, with their resized copies."""
        return self._finished(responsive=True)

    @property
    def feed_html(self) -> Markup:
        """The body as a feed carries it: pictures sized, one copy each."""
        return self._finished(responsive=False)

    def _finished(self, *, responsive: bool) -> Markup:
        html = self._unpacked(0)
        if not (self.urls or self.pictures):
            return Markup(html)
        return Markup(finish(html, self.urls, self.pictures, responsive=responsive))

    @property
    def search_words(self) -> str:
        return self._unpacked(1)

    @property
    def toc(self) -> tuple[Heading, ...]:
        """The h2 and h3 headings, in order."""
        return self.headings


@dataclass(frozen=True, slots=True, eq=False)
class Packed:
    """The packed texts of one or many bodies, one after the other: one object, whose bytes
    a process forked with the model never writes to (compared by identity)."""

    data: bytes


def packed_together(bodies: Sequence[Body]) -> list[Body]:
    """The same bodies, their texts in one shared Packed."""
    spans = []
    offset = 0
    for body in bodies:
        start, middle, end = body.spans
        spans.append((offset, offset + middle - start, offset + end - start))
        offset += end - start
    shared = Packed(
        b"".join(memoryview(body.packed.data)[body.spans[0] : body.spans[2]] for body in bodies)
    )
    return [
        Body(b.key, shared, span, b.headings, b.urls, b.pictures, b.words)
        for b, span in zip(bodies, spans, strict=True)
    ]


def pack(text: str) -> bytes:
    """A body's long text as the model holds it."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpack(packed: bytes | memoryview) -> str:
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True, kw_only=True)
class PostLink:
    """Enough of a post to link to it from elsewhere."""

    title: str
    url: str
    summary: str
    part: int | None = None


PartState = Literal["current", "published", "planned", "withheld", "translated"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Alternate:
    """The same page in another language of a bilingual site (its twin)."""

    language: str  # a language tag: "en"
    name: str  # the language's name in itself: "English", "Cymraeg"
    url: str  # root-relative
    permalink: str  # absolute


@dataclass(frozen=True, slots=True, kw_only=True)
class PartEntry:
    """One line of a series' list of parts, as the reader of one post sees it.

    "planned" parts are announced in series.yml but not written; "withheld" parts exist but
    are not published to this audience (shown only with `excluded_parts = "placeholder"`).
    Neither carries a title or a URL. "translated" parts are published in another language
    of a bilingual site only: `link` is to that post, `language` its language.
    """

    number: int
    state: PartState
    link: PostLink | None = None
    language: Alternate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesPosition:
    """Where one post stands in its series: "Part 3 of 7 in Journey to the Cloud"."""

    series_slug: str
    series_title: str
    series_url: str
    part: int
    total: int  # the highest part number published or planned
    previous: PostLink | None
    next: PostLink | None
    parts: tuple[PartEntry, ...]

    @property
    def all_url(self) -> str:
        """The series' parts on one page."""
        return self.series_url + "all/"

    @property
    def published(self) -> int:
        """How many parts this audience can read, this one included."""
        return sum(1 for entry in self.parts if entry.state in ("current", "published"))

    @property
    def segments(self) -> tuple[str, ...]:
        """For each part number from 1 to `total`, its entry's state, or "gap" where no part
        has that number (parts 1, 2, 4): the progress bar's segments, worked out once here
        rather than by a search of the parts for each number in every page's template."""
        states: dict[int, str] = {}
        for entry in self.parts:
            states.setdefault(entry.number, entry.state)
        return tuple(states.get(number, "gap") for number in range(1, self.total + 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """One post as pages, feeds and the audit see it, after every check has passed."""

    id: str  # permanent feed id (tag: URI); survives slug changes
    slug: str
    title: str
    date: datetime  # timezone-aware, in the site timezone
    updated: datetime  # front matter `updated`, else `date`: never the build time
    author: Author
    level: SecurityLevel
    body: Body  # see the html, body_key, search_words, toc and words properties
    summary: str
    series: SeriesPosition | None
    tags: tuple[Tag, ...] = ()
    url: str  # root-relative, with the base path: "/blog/posts/slug/"
    permalink: str  # absolute
    canonical: str  # front matter `canonical` for cross-posted originals, else permalink
    image: str | None = None  # root-relative URL or absolute URL of the lead image
    image_alt: str = ""
    aliases: tuple[str, ...] = ()  # output paths that redirect here
    draft: bool = False  # published only by a build with --drafts: its pages say so
    # Every link and image src of the body, as rendered (with the base path)
    links: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    # Front matter `extra:`, for themes; read-only, never interpreted by the build
    extra: Extra = field(default_factory=Extra)
    source: Path  # for error messages and the cache; templates never print it
    translations: tuple[Alternate, ...] = ()  # its twins in a bilingual site's other languages

    @property
    def html(self) -> Markup:
        """The rendered body, already safe; internal URLs are root-relative."""
        return self.body.html

    @property
    def feed_html(self) -> Markup:
        """The body as feeds carry it (Body.feed_html)."""
        return self.body.feed_html

    @property
    def body_key(self) -> str:
        """What html, toc, words and search_words were made from (rendered.Rendered.key), so
        fingerprints need not hash the html itself; "" if not known."""
        return self.body.made_from if self.body.key else ""

    @property
    def search_words(self) -> str:
        """The body's distinct words, folded as search.js folds a query."""
        return self.body.search_words

    @property
    def toc(self) -> tuple[Heading, ...]:
        return self.body.toc

    @property
    def words(self) -> int:
        return self.body.words

    @property
    def reading_minutes(self) -> int:
        # 200 words a minute is the usual figure for considered reading.
        return max(1, round(self.words / 200))

    @property
    def link(self) -> PostLink:
        return PostLink(
            title=self.title,
            url=self.url,
            summary=self.summary,
            part=self.series.part if self.series else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A standalone page: about, accessibility statement."""

    slug: str
    title: str
    summary: str
    body: Body
    url: str
    permalink: str
    extra: Extra = field(default_factory=Extra)  # front matter `extra:`, for themes
    links: tuple[str, ...] = ()  # every link and image src of the body, as rendered
    images: tuple[str, ...] = ()
    draft: bool = False  # published only by a build with --drafts: its page says so
    source: Path
    translations: tuple[Alternate, ...] = ()

    @property
    def html(self) -> Markup:
        return self.body.html

    @property
    def toc(self) -> tuple[Heading, ...]:
        return self.body.toc

    @property
    def body_key(self) -> str:
        return self.body.made_from if self.body.key else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    slug: str
    title: str
    description: str
    planned: int | None  # parts announced in series.yml
    status: Literal["ongoing", "complete"]
    url: str
    feed_url: str
    parts: tuple[Post, ...]  # published parts in part order
    total: int  # the highest part number published or planned
    # Parts published in another language of a bilingual site only ("translated" entries).
    translated: tuple[PartEntry, ...] = ()

    @property
    def latest(self) -> datetime | None:
        return max((post.date for post in self.parts), default=None)

    @property
    def all_url(self) -> str:
        """Every published part on one page."""
        return self.url + "all/"

    @property
    def epub_url(self) -> str:
        """Every published part as an EPUB (ebook.py)."""
        return f"{self.url}{self.slug}.epub"


@dataclass(frozen=True, slots=True, kw_only=True)
class TagListing:
    tag: Tag
    posts: tuple[Post, ...]  # newest first
    feed_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorListing:
    author: Author
    posts: tuple[Post, ...]  # newest first
    feed_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Withheld:
    """A post that this build does not publish, kept only so the audit can look for it.

    Templates never see these. `canaries` are (what, text) pairs that must not appear in any
    output: ("id", …), ("slug", …), ("title", …), ("summary", …). `texts` are what it says
    (its rendered body, or a removed block's, its title and summary): no run of 8 of their
    words may appear either.
    """

    source: Path
    reason: Literal["level", "draft", "future"]
    canaries: tuple[tuple[str, str], ...]
    texts: tuple[str, ...] = ()
    image_paths: tuple[str, ...] = ()  # images under content/images/ referenced by the post
    whole_post: bool = True  # False: a level block removed from a published post
    due: datetime | None = None  # for a future-dated post, the moment it becomes publishable


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInfo:
    """Site-wide settings templates may read."""

    title: str
    description: str
    language: str
    base_url: str  # absolute, ends with "/"; a bilingual site's language folder included
    base_path: str  # "/" or "/blog/"; "/blog/en/" for one language of a bilingual site
    audience: SecurityLevel
    posts_per_page: int
    feed_url: str
    rss_url: str
    json_feed_url: str
    # Where files every language shares are published (assets/, images/, static files):
    # base_path's and base_url's root. Empty: the same as base_path and base_url.
    root_path: str = ""
    root_url: str = ""
    # A bilingual site's languages, the default first, each with its home page.
    editions: tuple[Alternate, ...] = ()


# The folders every language of a bilingual site shares, at the site's root.
SHARED_FOLDERS = ("assets/", "images/", "media/")


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    info: SiteInfo
    posts: tuple[Post, ...]  # published, newest first
    pages: tuple[Page, ...]
    series: tuple[Series, ...]  # by title
    tags: tuple[TagListing, ...]  # by tag name
    authors: tuple[AuthorListing, ...]  # by name
    withheld: tuple[Withheld, ...] = field(default=())
    built_at: datetime  # the cutoff for future posts; not printed in pages (they stay reproducible)
    # Every picture published, as (its source, relative to content/: "images/map.jpg",
    # "posts/03-identity/plan.png"; the Picture pages show), and every other file published
    # from beside a post, as (source relative to content/, output path).
    pictures: tuple[tuple[str, Picture], ...] = ()
    files: tuple[tuple[str, str], ...] = ()

    def url(self, path: str) -> str:
        """Root-relative URL of a site path: url("tags/") -> "/blog/tags/"."""
        path = path.lstrip("/")
        if self.info.root_path and path.startswith(SHARED_FOLDERS):
            return self.info.root_path + path
        return self.info.base_path + path

    def absolute(self, path: str) -> str:
        path = path.lstrip("/")
        if self.info.root_url and path.startswith(SHARED_FOLDERS):
            return self.info.root_url + path
        return self.info.base_url + path

    def file_url(self, path: str) -> str:
        """The absolute URL of a root-relative path of a shared file ("images/map.jpg", or
        "en/posts/identity/plan.png" beside a post)."""
        return (self.info.root_url or self.info.base_url) + path.lstrip("/")

    @property
    def files_path(self) -> str:
        """Where shared files are: root_path, or base_path in a site of one language."""
        return self.info.root_path or self.info.base_path


@dataclass(frozen=True, slots=True)
class Job:
    """A file the build may have to make: where, what its bytes depend on, and how.

    `key` changes whenever anything the bytes are made from changes (the build adds a
    site-wide fingerprint to it, and a page what its rendering read: `key_for`); a file
    whose key did not change since the last build is taken from the previous output
    instead of being made again.
    """

    path: str
    key: str
    make: Callable[[], bytes]
    # False when `key` alone decides the bytes (a social card), so a template or site-wide
    # change does not make the file again.
    site_wide: bool = True
    # A page: `key` is what it is (path, template); what else its bytes were made from is
    # known once it is made, from what its rendering read (reads.recording), and is
    # `key_for(those reads)` in the site the job was planned in.
    key_for: Callable[[Reads], str] | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file a feed offers whole (a series' EPUB): its feed states its length."""

    url: str  # absolute
    media_type: str
    key: str  # what its bytes are made from: a feed that offers it changes with it
    length: Callable[[], int]  # its bytes' length, worked out when the feed is made


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site: bytes to write, or a source file to copy."""

    path: str  # relative to the output folder, "/"-separated: "posts/slug/index.html"
    data: bytes | None = None
    source: Path | None = None
    reused: bool = False  # taken unchanged from the previous output
    # Scanned by the leak audit where it was made, or by this same audit when it was made.
    audited: bool = False
    # Put in the staging folder by its maker (engine.write.stage_file): True if written, False if
    # linked from the previous output; None for an output still to be written.
    staged: bool | None = None
    digest: str | None = None  # of its bytes, where the build knows it (what the audit read)


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What writing the output changed."""

    written: int  # files whose bytes are new or changed
    unchanged: int  # files kept from the previous output
    pages: int = 0  # HTML pages among the written: what a reader sees change


@dataclass(frozen=True, slots=True, kw_only=True)
class SocialImage:
    """The picture a link preview shows for one post: its own image, or its social card."""

    url: str  # absolute
    width: int | None  # None for a remote image: the build does not download it
    height: int | None
    alt: str
