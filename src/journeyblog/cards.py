"""Posts -> social cards and the picture each post's link preview shows.

A post without an `image` gets a card: a 1200x627 PNG (the size LinkedIn and others show
largest) with the series and part, the title, the author with role and organisation, and the
site's title, drawn with Pillow in the fonts the theme ships under fonts/ (never downloaded).

Drawing is a pure function of the text and the fonts, so its bytes are deterministic. Each
card is a build Job keyed by the hash of everything drawn plus CARD_VERSION: an unchanged card
is taken from the previous output, and cards are also kept under
SITE_DIR/.journeyblog-cache/cards/<sha256>.png, so a fresh output folder reads them back
instead of drawing them again; a copy there is used only if it is a whole card (every PNG
checksum holds). That cache is the only disk this module writes.

A card is a palette PNG: per ink, a ramp of 85 entries from the background to the ink. It is
drawn straight in palette indices (each band of rows is filled with its ink's ramp start and
text is blended towards the ramp's end), so the anti-aliasing is kept and no pixel is mapped
afterwards; a card is a third of the bytes and time of an RGB one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import PIL

from journeyblog.config import CACHE_DIR as SITE_CACHE
from journeyblog.digests import length_prefixed
from journeyblog.figures import Picture
from journeyblog.i18n import Language, english
from journeyblog.kept import Kept, Unkept
from journeyblog.model import Job, Post, Site, SocialImage

# Pillow's drawing modules are imported where a card is drawn or an image measured: a build
# that draws no card (most builds after an edit) does without their start-up time.
if TYPE_CHECKING:
    from PIL import Image, ImageFont

CARD_WIDTH, CARD_HEIGHT = 1200, 627
# Bump when the layout changes, so cached cards are redrawn.
CARD_VERSION = "6"
CACHE_DIR = Path(SITE_CACHE) / "cards"
FONT_REGULAR = "fonts/DejaVuSans.ttf"
FONT_BOLD = "fonts/DejaVuSans-Bold.ttf"
# The formats every link-preview service accepts; WebP, GIF and SVG are not among them.
PREVIEW_FORMATS = ("PNG", "JPEG")

_MARGIN = 80
_BACKGROUND = (11, 45, 84)
_ACCENT = (255, 191, 71)
_TEXT = (255, 255, 255)
_MUTED = (196, 212, 232)
_TITLE_SIZES = range(72, 38, -4)  # largest first: long titles shrink


@dataclass(frozen=True, slots=True, kw_only=True)
class CardText:
    """Everything written on a card; its hash names the cached PNG."""

    series: str  # "Journey to the Cloud", or "" for a standalone post
    part: str  # "Part 3 of 7"
    title: str
    author: str
    affiliation: str  # "Director of Information Systems, Northbridge City Council"
    site_title: str

    @property
    def kicker(self) -> str:
        return f"{self.series} · {self.part}" if self.series else ""

    @property
    def alt(self) -> str:
        lead = f"{self.kicker}: " if self.kicker else ""
        return f"{lead}{self.title}, by {self.author}, {self.affiliation}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CardFonts:
    regular: Path
    bold: Path
    digest: str  # of both files: a theme that changes a font gets new cards


def social_images(
    site: Site,
    site_dir: Path,
    themes: Sequence[Path],
    *,
    cache: bool = True,
    language: Language | None = None,
) -> tuple[dict[str, SocialImage], list[Job]]:
    """Per post slug, the image its link preview shows; and the cards to make, cards/<slug>.png.

    A post's own image is used when it is a PNG or JPEG (or a remote URL, which is not
    fetched); otherwise the post gets a card. With cache=False cards are drawn afresh and
    not stored (`build --no-cache`).
    """
    fonts = find_fonts(themes)
    cache_dir = site_dir / CACHE_DIR if cache else None
    images: dict[str, SocialImage] = {}
    jobs: list[Job] = []
    for slug, image, text in _previews(site, site_dir, language):
        images[slug] = image
        if text is not None:
            key = card_key(text, fonts)
            cached = cache_dir / f"{key}.png" if cache_dir is not None else None
            make = functools.partial(cached_card, text, fonts, cached)
            jobs.append(Job(f"cards/{slug}.png", key, make, site_wide=False))
    return images, jobs


def previews(
    site: Site, site_dir: Path, language: Language | None = None, *, kept: Kept | None = None
) -> dict[str, SocialImage]:
    """Per post slug, the image its link preview shows (social_images, without the cards).
    `kept`: what the last call made (kept.Kept); a card's preview is made from its post."""
    kept = kept if kept is not None else Unkept()
    pictures = pictures_by_url(site)
    info = kept.interned("info", site.info)
    shown = {}
    for post in site.posts:
        if post.image is None:  # a card: what it shows is the post's and the site's
            made_from = (post, info, language)
            preview = functools.partial(_preview, site, site_dir, post, pictures, language)
            shown[post.slug] = kept.made(("card", post.slug), made_from, preview)[0]
        else:
            shown[post.slug] = _preview(site, site_dir, post, pictures, language)[0]
    kept.forget_unused()
    return shown


def _previews(
    site: Site, site_dir: Path, language: Language | None
) -> Iterator[tuple[str, SocialImage, CardText | None]]:
    """(slug, preview, the card's text if the preview is a card) of each post."""
    pictures = pictures_by_url(site)
    for post in site.posts:
        yield post.slug, *_preview(site, site_dir, post, pictures, language)


def _preview(
    site: Site,
    site_dir: Path,
    post: Post,
    pictures: Mapping[str, Picture],
    language: Language | None,
) -> tuple[SocialImage, CardText | None]:
    own = own_image(site, site_dir, post, pictures=pictures)
    if own is not None:
        return own, None
    text = card_text(site, post, language)
    url = site.absolute(f"cards/{post.slug}.png")
    return SocialImage(url=url, width=CARD_WIDTH, height=CARD_HEIGHT, alt=text.alt), text


def own_image(
    site: Site, site_dir: Path, post: Post, *, pictures: Mapping[str, Picture] | None = None
) -> SocialImage | None:
    """The post's own image as a preview, or None if it has none a preview can show.

    A picture the site publishes copies of is shown by its copy as wide as a card (if it is
    wider): `pictures` is pictures_by_url(site), if it has been made already.
    """
    if post.image is None:
        return None
    if urlsplit(post.image).scheme:
        return SocialImage(url=post.image, width=None, height=None, alt=post.image_alt)
    path = image_file(site, site_dir, post.image)
    if path is None:
        return None
    from PIL import Image

    try:
        with Image.open(path) as image:
            if image.format not in PREVIEW_FORMATS:
                return None
            width, height = image.size
    except (OSError, Image.DecompressionBombError):
        return None
    url = post.image
    if pictures is None:
        pictures = pictures_by_url(site)
    published = pictures.get(unquote(url))
    if published is not None:
        # The copy previews show largest, never the full picture: a photograph as taken
        # may be more than a preview service accepts.
        url, width, height = published.url, published.width, published.height
        if width > CARD_WIDTH:
            url = next((copy for copy, wide in published.copies if wide == CARD_WIDTH), url)
            if url != published.url:
                width, height = CARD_WIDTH, max(1, round(height * CARD_WIDTH / width))
    return SocialImage(
        url=site.file_url(url.removeprefix(site.files_path)),
        width=width,
        height=height,
        alt=post.image_alt,
    )


def pictures_by_url(site: Site) -> dict[str, Picture]:
    """Each picture the site publishes, by its URL unquoted ("/images/my map.jpg")."""
    return {unquote(picture.url): picture for _, picture in site.pictures}


def image_file(site: Site, site_dir: Path, url: str) -> Path | None:
    """The file a root-relative image URL is copied from: static/ wins, as in the output."""
    relative = unquote(url.removeprefix(site.files_path))
    candidates = [site_dir / "static" / relative]
    if relative.startswith("images/"):
        candidates.append(site_dir / "content" / relative)
    # A picture from beside a post (its own folder), published under the post's URL.
    candidates += [site_dir / "content" / file for file, out in site.files if out == relative]
    return next((path for path in candidates if path.is_file()), None)


def card_text(site: Site, post: Post, language: Language | None = None) -> CardText:
    position = post.series
    author = post.author
    say = (language or english()).say
    return CardText(
        series=position.series_title if position else "",
        part=say("Part %(part)s of %(total)s") % {"part": position.part, "total": position.total}
        if position
        else "",
        title=post.title,
        author=author.name,
        affiliation=", ".join(part for part in (author.role, author.organisation) if part),
        site_title=site.info.title,
    )


def find_fonts(themes: Sequence[Path]) -> CardFonts:
    """Each font from the first theme that ships it (the default theme always does)."""

    def find(name: str) -> Path:
        for theme in themes:
            if (theme / name).is_file():
                return theme / name
        raise FileNotFoundError(f"no theme ships {name}; the default theme should")

    regular, bold = find(FONT_REGULAR), find(FONT_BOLD)
    digest = hashlib.sha256(regular.read_bytes() + bold.read_bytes()).hexdigest()
    return CardFonts(regular=regular, bold=bold, digest=digest)


_TEXT_FIELDS = tuple(field.name for field in fields(CardText))  # all str: no astuple copying


def card_key(text: CardText, fonts: CardFonts) -> str:
    """The hash of everything that decides a card's pixels."""
    drawn = (CARD_VERSION, PIL.__version__, fonts.digest, *[getattr(text, f) for f in _TEXT_FIELDS])
    # Length-prefixed (as digests.digest joins), not JSON: as exact, a fifth of the cost.
    return hashlib.sha256(length_prefixed(drawn)).hexdigest()


def cached_card(text: CardText, fonts: CardFonts, cached: Path | None) -> bytes:
    """The card's PNG: the cache's copy at `cached` if it is whole, else drawn and kept there.

    A copy is used only if `is_sound_card` says it is whole, so a card is written straight
    under its final name: a build stopped while writing leaves a copy that fails the check,
    which is then removed and drawn again. With `cached` None, nothing is read or kept.
    """
    if cached is None:
        return draw_card(text, fonts)
    try:
        data = cached.read_bytes()
    except OSError:
        pass
    else:
        if is_sound_card(data):
            return data
        with contextlib.suppress(OSError):
            cached.unlink()
    data = draw_card(text, fonts)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with open(cached, "xb") as file:  # another build may be keeping it at the same time
            file.write(data)
    except OSError:
        pass  # kept already, or a read-only site folder: it only costs a redraw next time
    return data


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CARD_SIZE = struct.pack(">II", CARD_WIDTH, CARD_HEIGHT)  # how IHDR starts


def is_sound_card(data: bytes) -> bool:
    """Whether data is a whole PNG of a card's size, every chunk's checksum intact."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    view = memoryview(data)
    at = len(_PNG_SIGNATURE)
    first = True
    while at + 12 <= len(data):
        length: int = struct.unpack_from(">I", data, at)[0]
        end = at + 8 + length  # length, kind, then the chunk's data; its CRC follows
        if end + 4 > len(data):
            return False
        kind = bytes(view[at + 4 : at + 8])
        if zlib.crc32(view[at + 4 : end]) != struct.unpack_from(">I", data, end)[0]:
            return False
        if first and (kind != b"IHDR" or view[at + 8 : at + 16] != _CARD_SIZE):
            return False
        first = False
        at = end + 4
        if kind == b"IEND":
            return at == len(data)
    return False


# ---------------------------------------------------------------- drawing


def draw_card(text: CardText, fonts: CardFonts) -> bytes:
    """The card as PNG bytes: the same text and fonts always give the same bytes."""
    # Drawn straight in palette indices. Each ink owns a band of rows and a ramp of palette
    # entries, from one that is the background colour (`_base`) to the full ink (`_full`):
    # a band is filled with its ramp's first entry, and text pasted in the full ink over it
    # blends along the ramp, so the anti-aliased edges need no mapping afterwards.
    # The image has one column more than the card, left of it and never drawn on: its zero
    # bytes are the PNG's per-row filter type (None), so the pixels are the scanlines as is.
    from PIL import Image, ImageDraw

    card = Image.new("L", (_ROW_BYTES, CARD_HEIGHT), 0)
    draw = ImageDraw.Draw(card)
    left, width = 1 + _MARGIN, CARD_WIDTH - 2 * _MARGIN

    def band(first_row: int, ink: tuple[int, int, int]) -> int:
        """Rows from first_row down belong to ink (until the next band); its full ink."""
        draw.rectangle((1, first_row, CARD_WIDTH, CARD_HEIGHT - 1), fill=_base(ink))
        return _full(ink)

    ink = band(0, _ACCENT)
    draw.rectangle((1, 0, CARD_WIDTH, 12), fill=ink)
    ink = band(13, _MUTED)
    _paste_line(card, (left, 52), text.site_title, fonts.regular, 28, width, ink)
    top = 110
    if text.kicker:
        ink = band(top - 8, _ACCENT)
        # A long series title is cut, never the part number.
        part = f" · {text.part}"
        room = width - round(_advance(part, fonts.bold, 34))
        series = _ellipsize(text.series, fonts.bold, 34, room)
        _draw_words(card, (left, top), series + part, fonts.bold, 34, ink)
        top += 64

    rule = 465
    ink = band(top - 8, _TEXT)
    size, lines = _fit(text.title, fonts.bold, width, rule - 30 - top)
    spacing = round(size * 1.18)
    for number, line in enumerate(lines):
        _draw_words(card, (left, top + number * spacing), line, fonts.bold, size, ink)

    ink = band(rule, _MUTED)
    draw.line((left, rule, left + width, rule), fill=ink, width=2)
    ink = band(rule + 20, _TEXT)
    _paste_line(card, (left, rule + 28), text.author, fonts.bold, 34, width, ink)
    ink = band(rule + 74, _MUTED)
    _paste_line(card, (left, rule + 78), text.affiliation, fonts.regular, 28, width, ink)
    return palette_png(card.tobytes(), CARD_WIDTH, CARD_HEIGHT, _PALETTE)


_ROW_BYTES = CARD_WIDTH + 1  # a filter-type byte, then one palette index a pixel


def _draw_words(
    card: Image.Image, at: tuple[int, int], line: str, font_path: Path, size: int, ink: int
) -> None:
    """A line drawn word by word from images kept per word: titles share most of their words.

    Words are spaced by their advance widths, as _wrap measures them.
    """
    x: float = at[0]
    y = at[1]
    space = _advance(" ", font_path, size)
    for word in line.split(" "):
        image, (left, top) = _text_image(word, font_path, size)
        if image is not None:
            card.paste(ink, (round(x) + left, y + top), image)
        x += _advance(word, font_path, size) + space


def _paste_line(
    card: Image.Image,
    at: tuple[int, int],
    text: str,
    font_path: Path,
    size: int,
    width: int,
    ink: int,
) -> None:
    """One line of text, cut to `width`, as draw.text would draw it at `at`."""
    line, (left, top) = _text_image(_ellipsize(text, font_path, size, width), font_path, size)
    if line is not None:
        card.paste(ink, (at[0] + left, at[1] + top), line)


@functools.lru_cache(maxsize=1024)
def _text_image(
    text: str, font_path: Path, size: int
) -> tuple[Image.Image | None, tuple[int, int]]:
    """The text drawn once and kept, with its offset from the pen: the site's title and the
    authors' lines are on many cards, and words recur across titles; drawing text was most
    of the cost of a card."""
    from PIL import Image, ImageDraw

    font = _font(font_path, size)
    left, top, right, bottom = (int(edge) for edge in font.getbbox(text))
    if right <= left or bottom <= top:
        return None, (0, 0)
    image = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(image).text((-left, -top), text, 255, font)
    return image, (left, top)


@functools.lru_cache(maxsize=8192)
def _advance(text: str, font_path: Path, size: int) -> float:
    return float(_font(font_path, size).getlength(text))


def palette_png(scanlines: bytes, width: int, height: int, palette: bytes) -> bytes:
    """An 8-bit palette PNG of `scanlines`: each row a filter-type byte (0), then one palette
    index a pixel. No text chunks or timestamps: the bytes depend on the pixels alone, and
    zlib gives the same bytes for the same pixels wherever it runs (ISA-L's deflate, several
    times as fast, did not always: a card was once compressed two ways).
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8 bits, palette colour
    return b"".join(
        [
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", zlib.compress(scanlines, 1)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


_INKS = (_TEXT, _ACCENT, _MUTED)
_RAMP_STEPS = 84  # 3 inks x (the background + 84 steps to the ink) = 255 palette entries


def _base(ink: tuple[int, int, int]) -> int:
    """The palette index of the background in ink's ramp: where its blends start."""
    return _INKS.index(ink) * (_RAMP_STEPS + 1)


def _full(ink: tuple[int, int, int]) -> int:
    return _base(ink) + _RAMP_STEPS


def _palette() -> bytes:
    """The card's colours: per ink, the background, then blends ever nearer to the ink."""
    palette: list[int] = []
    for ink in _INKS:
        for step in range(_RAMP_STEPS + 1):
            share = step / _RAMP_STEPS
            palette += [round(b + (i - b) * share) for b, i in zip(_BACKGROUND, ink, strict=True)]
    return bytes(palette)


_PALETTE = _palette()


@functools.cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def _fit(title: str, font_path: Path, width: int, height: int) -> tuple[int, list[str]]:
    """The largest title size whose wrapped lines fit the box; at the smallest, cut with "…"."""
    for size in _TITLE_SIZES:
        lines = _wrap(title, font_path, size, width)
        if len(lines) * round(size * 1.18) <= height:
            return size, lines
    most = max(1, height // round(size * 1.18))
    if len(lines) > most:
        rest = _ellipsize(" ".join(lines[most - 1 :]), font_path, size, width)
        lines = [*lines[: most - 1], rest]
    return size, lines


def _wrap(text: str, font_path: Path, size: int, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word wider than the box is broken."""
    space = _advance(" ", font_path, size)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in text.split():
        wide = _advance(word, font_path, size)
        candidate = current_width + space + wide if current else wide
        if candidate <= width:
            current.append(word)
            current_width = candidate
            continue
        if current:
            lines.append(" ".join(current))
        while wide > width:
            cut = len(word) - 1
            while cut > 1 and _advance(word[:cut], font_path, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            wide = _advance(word, font_path, size)
        current, current_width = [word], wide
    if current:
        lines.append(" ".join(current))
    return lines


def _ellipsize(text: str, font_path: Path, size: int, width: int) -> str:
    if _advance(text, font_path, size) <= width:
        return text
    font = _font(font_path, size)
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
