"""A rendered body's HTML as a page shows it: links and pictures where they are published,
every picture of the site sized, with its resized copies, and a titled picture a figure.

Works on the HTML both Markdown renderers write, which is always the same shape
(`<img src="…" alt="…" title="…">`, attributes in double quotes, `&<>"` escaped), so a
pattern finds every picture and link. Pure: strings in, string out.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Picture:
    """A picture of the site as pages show it: its size and its resized copies."""

    url: str  # as <img src> has it, with the base path: "/images/map.jpg"
    width: int  # of the published picture, turned upright as the camera meant
    height: int
    # (url, width) of each copy in the picture's own format, narrowest first, then in WebP;
    # empty for a picture that is not resized (a GIF, or one narrower than every copy).
    copies: tuple[tuple[str, int], ...] = ()
    webp: tuple[tuple[str, int], ...] = ()


# The widths of a picture's resized copies; 1200 is what link previews show largest.
WIDTHS = (480, 960, 1200, 1600)
# The widest a picture is published: a camera's 6000 px is more than any screen shows.
FULL_WIDTH = 2400
# Formats that are resized and published without their metadata; others go as they are.
RESIZED = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    """What a picture file's header says (pictures.measure)."""

    format: str  # Pillow's name: "JPEG"
    width: int  # turned upright as the camera meant (EXIF orientation)
    height: int
    location: bool  # holds a GPS location
    animated: bool = False  # more than one frame: published as it is, never resized


def picture(url: str, measured: Measured) -> Picture:
    """The picture published at `url` and its copies' URLs, named beside it
    ("/images/map.jpg" -> "/images/map.480w.jpg", "/images/map.480w.webp")."""
    width, height = measured.width, measured.height
    if measured.format not in RESIZED or measured.animated:
        return Picture(url=url, width=width, height=height)
    if width > FULL_WIDTH:
        width, height = FULL_WIDTH, max(1, round(height * FULL_WIDTH / width))
    name = url.rsplit("/", 1)[-1]
    stem, suffix = (
        (url.rsplit(".", 1)[0], "." + name.rsplit(".", 1)[1]) if "." in name else (url, "")
    )
    narrower = [w for w in WIDTHS if w < width]
    # Copies keep the picture's own suffix ("map.480w.jpeg"), and WebP copies of another
    # format name it ("map.jpg.480w.webp"): map.jpg and map.png never share a copy's name.
    copies = (*((f"{stem}.{w}w{suffix}", w) for w in narrower), (url, width))
    webp: tuple[tuple[str, int], ...] = ()
    if measured.format != "WEBP":
        webp = tuple((f"{stem}{suffix}.{w}w.webp", w) for w in (*narrower, width))
    if not narrower and not webp:
        copies = ()
    return Picture(url=url, width=width, height=height, copies=copies, webp=webp)


def copies_of(picture: Picture) -> list[tuple[str, int]]:
    """(url, width) of every file `picture` is published as, itself included."""
    return list(dict.fromkeys([(picture.url, picture.width), *picture.copies, *picture.webp]))


# The width the theme's text column takes (site.css --measure: 42rem) on a wide screen.
SIZES = "(min-width: 44rem) 42rem, 100vw"

# A URL attribute, as a renderer writes it or as HTML written by hand may have it.
_URL = re.compile(
    r"""(?P<name>\b(?:href|src|srcset|poster|data))\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)')""",
    re.IGNORECASE,
)
_IMG = re.compile(
    r'(?P<open><p>)?<img src="(?P<src>[^"]*)" alt="(?P<alt>[^"]*)"'
    r'(?: title="(?P<title>[^"]*)")?>(?P<close></p>)?'
)


def finish(
    html: str,
    urls: Sequence[tuple[str, str]],
    pictures: Sequence[Picture],
    *,
    responsive: bool,
) -> str:
    """`html` with each URL of `urls` (as rendered -> as published) replaced in href and src,
    and each <img> of a picture in `pictures` given its width and height; responsive (a page,
    not a feed), its copies in srcset and WebP, and lazy loading but for the page's first
    picture. A picture with a title, alone in its paragraph, becomes a <figure>."""
    if urls:
        published = dict(urls)

        def resolved(match: re.Match[str]) -> str:
            value = html_lib.unescape(match["d"] if match["d"] is not None else match["s"])
            if match["name"].lower() == "srcset":
                parts = [part.strip().split(maxsplit=1) for part in value.split(",")]
                new = ", ".join(
                    " ".join([published.get(part[0], part[0]), *part[1:]]) for part in parts if part
                )
            else:
                new = published.get(value, value)
            return match[0] if new == value else f'{match["name"]}="{_escape(new)}"'

        html = _URL.sub(resolved, html)
    by_url = {_escape(picture.url): picture for picture in pictures}
    seen = 0

    def placed(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        picture = by_url.get(match["src"])
        title = match["title"]
        attributes = [f'src="{match["src"]}"', f'alt="{match["alt"]}"']
        if picture is not None:
            attributes.append(f'width="{picture.width}" height="{picture.height}"')
        if responsive and seen > 1:
            attributes.append('loading="lazy" decoding="async"')
        figure = title is not None and match["open"] is not None and match["close"] is not None
        if title is not None and not figure:
            attributes.append(f'title="{title}"')
        image = _img(attributes, picture if responsive else None)
        if figure:
            return f"<figure>{image}<figcaption>{title}</figcaption></figure>"
        return f"{match['open'] or ''}{image}{match['close'] or ''}"

    return _IMG.sub(placed, html)


def _img(attributes: list[str], picture: Picture | None) -> str:
    if picture is None or not picture.copies:
        return f"<img {' '.join(attributes)}>"
    copies = _srcset(picture.copies)
    attributes.insert(1, f'srcset="{copies}" sizes="{SIZES}"')
    img = f"<img {' '.join(attributes)}>"
    if not picture.webp:
        return img
    webp = _srcset(picture.webp)
    return f'<picture><source type="image/webp" srcset="{webp}" sizes="{SIZES}">{img}</picture>'


def _srcset(copies: Sequence[tuple[str, int]]) -> str:
    # A space or comma would end a URL in srcset: those two are percent-encoded.
    return ", ".join(
        f"{_escape(url.replace(' ', '%20').replace(',', '%2C'))} {width}w" for url, width in copies
    )


def _escape(text: str) -> str:
    """As markdown-it escapes an attribute: & < > " only."""
    return html_lib.escape(text, quote=False).replace('"', "&quot;")
