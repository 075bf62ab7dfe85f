"""A series as one document: its published parts in order, each part's ids made its own, and
links between parts turned into links within the document.

The series' single page (render.py) and its EPUB (ebook.py) are both made from this. It works
on a body's finished HTML (`Body.html`, `Body.feed_html`), start tag by start tag, as
figures.py does: only ids, the attributes that point at them, link and picture URLs and the
level of headings change; text is never touched. Reads only the published parts a Series
holds, never a source. Pure: the model in, strings out.

    >>> rewrite('<h2 id="costs">Costs</h2><a href="#costs">', number=3, ids={"costs"},
    ...         link=str, picture=str)
    '<h3 id="part-3-costs">Costs</h3><a href="#part-3-costs">'
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from markupsafe import Markup

from journeyblog.i18n import Language, english
from journeyblog.model import Heading, Post, Series, Site


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectedPart:
    """One part as the whole series shows it."""

    post: Post
    number: int  # the part's number in its series
    label: str  # "Part 3: Identity" (part_label)
    anchor: str  # the id of the part's own heading: "part-3"
    html: Markup  # its body: ids prefixed, links between parts within the document
    toc: tuple[Heading, ...]  # its headings, their ids prefixed, their levels as written


def part_label(post: Post, language: Language | None = None) -> str:
    """A part's title as a list of parts gives it: "Part 3: Identity", unless the title
    numbers its part already ("Zero Trust, Part 2: Checking Every Request")."""
    number = post.series.part if post.series else None
    if number is None or says_part(post.title, number):
        return post.title
    label = (language or english()).say("Part %(number)s: %(title)s")
    return label % {"number": number, "title": post.title}


def says_part(title: str, part: int) -> bool:
    """Whether a title numbers its part: "Part 5", "pt. 5", "- 5" (any dash), "(5)", "#5"."""
    number = rf"0*{part}(?!\d)"
    return (
        re.search(
            rf"(?:\bpart|\bpt\.?)\s*{number}|[\u2013\u2014-]\s*{number}|\(\s*{number}\s*\)|#{number}",
            title,
            re.IGNORECASE,
        )
        is not None
    )


def anchor_of(number: int) -> str:
    """The id of part `number`'s heading; its body's ids start with it and a hyphen."""
    return f"part-{number}"


def book_file(number: int) -> str:
    """The file of an EPUB that holds part `number`."""
    return f"part-{number}.xhtml"


def collect(
    site: Site, series: Series, *, book: bool = False, language: Language | None = None
) -> tuple[CollectedPart, ...]:
    """Every published part of `series`, in order, ready to stand in one document.

    For the single page (`book` False) a part's body is its page's (`Body.html`), its
    headings one level down (the part's own is an h2 under the page's h1), a link to a part
    becomes an anchor on the page, and every other link and picture is root-relative.
    For the EPUB (`book` True) a body is its feed's (`Body.feed_html`: one copy a picture),
    its headings as written (a part is a file of its own, its title the h1), a link to a
    part leads to that part's file (`book_file`), every other link is absolute, and pictures
    stay root-relative for ebook.py to put inside.
    """
    parts = [
        (post, post.series.part if post.series else index)
        for index, post in enumerate(series.parts, 1)
    ]
    bodies = {number: str(post.feed_html if book else post.html) for post, number in parts}
    ids = {number: ids_in(bodies[number]) for _, number in parts}
    by_path = {_path(post.url): number for post, number in parts}
    base = urlsplit(site.info.base_url)
    collected = []
    pictured = False  # a part before has a picture: the page's first is shown at once
    for post, number in parts:

        def link(href: str, post: Post = post, number: int = number) -> str:
            url = urljoin(post.permalink if book else post.url, href)
            found = urlsplit(url)
            target = by_path.get(_path(found.path))
            ours = (found.scheme, found.netloc) in ((base.scheme, base.netloc), ("", ""))
            if target is None or not ours or found.query:
                return url
            fragment = unquote(found.fragment)
            place = "" if not book or target == number else book_file(target)
            if fragment in ids[target]:
                return f"{place}#{anchor_of(target)}-{fragment}"
            return f"{place}#{anchor_of(target)}"

        def picture(src: str, post: Post = post) -> str:
            return urljoin(post.url, src)

        html = rewrite(
            bodies[number],
            number=number,
            ids=ids[number],
            link=link,
            picture=picture,
            shift=0 if book else 1,
            lazy=pictured and not book,
        )
        pictured = pictured or "<img" in html
        toc = tuple(
            Heading(level=h.level, id=f"{anchor_of(number)}-{h.id}", text=h.text)
            for h in post.toc
            if h.id in ids[number]
        )
        collected.append(
            CollectedPart(
                post=post,
                number=number,
                label=part_label(post, language),
                anchor=anchor_of(number),
                # The body was made safe by the Markdown renderer; only attributes changed.
                html=Markup(html),
                toc=toc,
            )
        )
    return tuple(collected)


def _path(path: str) -> str:
    """A URL path as pages are told apart: "/blog/posts/x/index.html" is "/blog/posts/x/"."""
    path = unquote(path)
    return path.removesuffix("index.html")


# A start or end tag, its attributes read with their quoting (a ">" may stand in a quoted
# value); comments, and the text of scripts and styles, are passed over whole. A tag with
# no attributes is not matched unless it is a heading or a picture: nothing in it changes.
_TAG = re.compile(
    r"""<!--.*?-->"""
    r"""|<(?P<raw>script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>.*?</(?P=raw)\s*>"""
    r"""|<(?P<end>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"""
    r"""(?P<attributes>(?![A-Za-z0-9-])(?:[^>"']|"[^"]*"|'[^']*')+|(?<=h[1-6])|(?<=img))>""",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(
    r"""(?P<space>\s+)(?P<name>[^\s"'>/=]+)"""
    r"""(?:(?P<equals>\s*=\s*)(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<u>[^\s"'>=`]+)))?"""
)
_HEADING = re.compile(r"h([1-6])", re.IGNORECASE)
_LOADING = re.compile(r"\sloading\s*=", re.IGNORECASE)
_LAZY = re.compile(r"\s*/?\s*$")  # where an attribute is added: before any closing "/"
# Attributes that name ids of the same page, one or several.
_ID_LISTS = frozenset(
    {
        *("for", "headers", "list", "form", "aria-labelledby", "aria-describedby"),
        *("aria-controls", "aria-owns", "aria-flowto", "aria-activedescendant", "aria-details"),
        "aria-errormessage",
    }
)
_LINKS = frozenset({"href", "usemap"})
_PICTURES = frozenset({"src", "poster"})
# Where an attribute that may change could stand: a tag without one (a code block's
# `<span class>`) is kept as written without reading its attributes.
_CHANGING = "|".join(sorted({"id", "srcset", *_ID_LISTS, *_LINKS, *_PICTURES}))
_MAY_CHANGE = re.compile(rf"\s(?:{_CHANGING})\s*=", re.IGNORECASE)


def ids_in(html: str) -> set[str]:
    """Every id the HTML gives an element."""
    found: set[str] = set()
    for tag in _TAG.finditer(html):
        if tag["name"] and not tag["end"] and _MAY_CHANGE.search(tag["attributes"]):
            for attribute in _ATTRIBUTE.finditer(tag["attributes"]):
                if attribute["name"].lower() == "id":
                    found.add(_value(attribute))
    return found


def rewrite(
    html: str,
    *,
    number: int,
    ids: Collection[str],
    link: Callable[[str], str],
    picture: Callable[[str], str],
    shift: int = 1,
    lazy: bool = False,
) -> str:
    """`html` as part `number` of one document: every id prefixed with "part-N-", and every
    reference to one of `ids` with it; an anchor not among them leads to the part's own
    heading; every other link through `link`, every picture URL through `picture`; and
    every heading `shift` levels down (h6 at most). With `lazy`, a picture not said to be
    loaded lazily is (a page's first picture is the only one loaded at once, and a part's
    first is a page's first only on its own page)."""
    prefix = anchor_of(number) + "-"

    def fragment(value: str) -> str:
        name = unquote(value[1:])
        return f"#{prefix}{name}" if name in ids else f"#{anchor_of(number)}"

    def attribute(name: str, value: str) -> str:
        if name == "id":
            return prefix + value
        if name in _LINKS:
            return fragment(value) if value.startswith("#") else link(value)
        if name in _PICTURES:
            return picture(value)
        if name == "srcset":
            return ", ".join(_candidate(item, picture) for item in value.split(",") if item.strip())
        if name in _ID_LISTS:
            return " ".join(prefix + token if token in ids else token for token in value.split())
        return value

    def tag(match: re.Match[str]) -> str:
        name = match["name"]
        if not name:
            return match[0]  # a comment, a script or a style
        heading = _HEADING.fullmatch(name)
        if heading:
            name = f"h{min(6, int(heading[1]) + shift)}"
        if match["end"]:
            return f"</{name}>"
        lazy_picture = lazy and name.lower() == "img"
        if not heading and not lazy_picture and not _MAY_CHANGE.search(match["attributes"]):
            return match[0]

        def changed(found: re.Match[str]) -> str:
            if found["equals"] is None:
                return found[0]
            key = found["name"].lower()
            value = _value(found)
            new = attribute(key, value)
            if new == value:
                return found[0]
            return f'{found["space"]}{found["name"]}="{html_lib.escape(new)}"'

        attributes = _ATTRIBUTE.sub(changed, match["attributes"])
        if lazy_picture and not _LOADING.search(attributes):
            end = _LAZY.search(attributes)
            at = end.start() if end else len(attributes)
            attributes = f'{attributes[:at]} loading="lazy" decoding="async"{attributes[at:]}'

        return f"<{name}{attributes}>"

    return _TAG.sub(tag, html)


def _value(attribute: re.Match[str]) -> str:
    for group in ("d", "s", "u"):
        if attribute[group] is not None:
            return html_lib.unescape(attribute[group])
    return ""


def _candidate(item: str, picture: Callable[[str], str]) -> str:
    """One URL of a srcset, with its width or density."""
    url, *rest = item.split()
    return " ".join([picture(url), *rest])
