"""Relative links and pictures -> the URLs the site publishes them at.

A writer links and shows pictures as their editor previews them: by the path from the file
they write in (`02-weighing-the-options.md`, `../standalone.md#a-heading`,
`../../images/map.png`, `plan.png` beside `03-identity/index.md`). Each becomes the URL the
site publishes it at, its anchor kept. A file shown or linked from beside the posts is
published too: in a post's own folder (a bundle, `03-identity/index.md` and its pictures),
under the post's URL; elsewhere, under `media/`. A path that leads to nothing, out of
content/, or to something this build withholds is an error. Pure: the facts come in Places.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

# Where a file shown from beside the posts, but from no post's own folder, is published.
MEDIA = "media/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Places:
    """What resolving needs to know of the site; paths are posix and normalised."""

    content: str  # the content/ folder, as the sources' paths begin
    base_path: str
    published: Mapping[str, str]  # post or page source file -> its URL (with the base path)
    withheld: Mapping[str, str]  # post or page source file -> why it is withheld
    images: frozenset[str]  # files under content/images/, relative to content/
    files: frozenset[str]  # every other file beside the posts and pages, relative to content/
    known: frozenset[str]  # URL paths this build publishes, for links written as URLs
    # The names of a post's own folder's file ("index.md"; "index.en.md" in a bilingual
    # site), its own language's first.
    indexes: tuple[str, ...] = ("index.md",)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    """Where a relative link or picture leads: a new URL, a file to publish, or an error."""

    url: str | None = None  # the URL to write instead; None: leave it as written
    file: str | None = None  # the file it publishes, relative to content/
    output: str | None = None  # where that file is published, relative to the output
    error: str | None = None


def is_relative(target: str) -> bool:
    """A path written relative to the page: not a URL with a scheme, not root-relative,
    not only an anchor."""
    if not target or target[0] in "/#?":
        return False
    return _SCHEME.match(target) is None


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # as urlsplit tells a scheme


def resolve(
    target: str, source: Path, page_url: str, places: Places, *, picture: bool = False
) -> Resolved:
    """Where `target` (a link, or with `picture` a picture, as rendered, relative to
    `source`, on the page at `page_url`) leads."""
    url = urlsplit(html_unescape(target))
    anchor = (f"?{url.query}" if url.query else "") + (f"#{url.fragment}" if url.fragment else "")
    written = unquote(url.path)
    folder = posixpath.dirname(posixpath.normpath(source.as_posix()))
    path = posixpath.normpath(posixpath.join(folder, written))
    verb, noun = ("shows", "picture") if picture else ("links to", "link")
    inside = path.startswith(places.content + "/")
    if inside:
        relative = path[len(places.content) + 1 :]
        for candidate in (path, *(posixpath.join(path, name) for name in places.indexes)):
            if candidate in places.published:
                return Resolved(url=places.published[candidate] + anchor)
            if candidate in places.withheld:
                why = places.withheld[candidate]
                advice = (
                    f"remove the {noun} until that post is published"
                    if why in ("draft", "future")
                    else f"remove the {noun} or raise this post's level"
                )
                return Resolved(
                    error=f"{verb} '{target}', which this build withholds ({why}): {advice}"
                )
        if relative in places.images:
            return _file(relative, relative, anchor, places)
        if relative in places.files:
            owner = _bundle_of(relative, places)
            if owner is None:
                return _file(relative, MEDIA + relative, anchor, places)
            index, owner_url = owner
            if owner_url is None:
                return Resolved(
                    error=f"shows '{target}', from the folder of {index}, which this build"
                    f" withholds ({places.withheld[places.content + '/' + index]}):"
                    " move the file out of that folder"
                )
            within = relative[len(posixpath.dirname(index)) + 1 :]
            output = owner_url[len(places.base_path) :] + within
            return _file(relative, output, anchor, places)
    # Written as a URL relative to the page ("../other-post/"), as some generators have it.
    as_url = unquote(urljoin(page_url, url.path))
    # A later page of a list ("tags/x/page/2/") is there if its list is.
    listed = re.sub(r"page/\d+/$", "", as_url)
    if as_url in places.known or (listed != as_url and listed in places.known):
        return Resolved()
    outside = path != places.content and not inside
    where = "out of content/" if outside else "to no file"
    return Resolved(
        error=f"{verb} '{target}', which leads {where} (write the path from this file,"
        " as your editor shows it: 02-next-part.md, ../images/map.png)"
    )


def _file(relative: str, output: str, anchor: str, places: Places) -> Resolved:
    url = places.base_path + quote(output, safe="/") + anchor
    return Resolved(url=url, file=relative, output=output)


def _bundle_of(relative: str, places: Places) -> tuple[str, str | None] | None:
    """The post whose own folder holds `relative` (its index.md, relative to content/, and
    its URL, None if withheld), if any."""
    folder = posixpath.dirname(relative)
    while folder and folder not in ("posts", "pages"):
        for name in places.indexes:
            index = f"{folder}/{name}"
            source = f"{places.content}/{index}"
            if source in places.published:
                return index, places.published[source]
            if source in places.withheld:
                return index, None
        folder = posixpath.dirname(folder)
    return None


@functools.lru_cache(maxsize=1 << 16)  # a site's every source, each save of the dev server
def normalised(path: Path) -> str:
    return posixpath.normpath(path.as_posix())
