"""Warnings for `journeyblog check`: things that are not errors but that readers would notice.

Each check is a pure function from the assembled site (and its sources) to SiteErrors used as
warnings; `site_warnings` runs them all. Errors that stop a build live in site.py, not here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from journeyblog.cards import (
    CARD_HEIGHT,
    CARD_WIDTH,
    PREVIEW_FORMATS,
    image_file,
    pictures_by_url,
)
from journeyblog.errors import SiteError
from journeyblog.figures import Measured, Picture
from journeyblog.model import Page, Post, Site
from journeyblog.site import link_line
from journeyblog.sources import SiteSources

Check = Callable[[Site, SiteSources], list[SiteError]]

# A planned part is overdue when the series has been quiet this long.
OVERDUE = timedelta(days=90)


def site_warnings(
    site: Site,
    sources: SiteSources,
    published: Site,
    *,
    pictures: Mapping[str, Measured] | None = None,
) -> list[SiteError]:
    """Every warning of every check, sorted by file and line.

    `site` holds every post (all levels, drafts, future); `published` is what the configured
    audience sees, for the checks that depend on it (links). `pictures` is what each picture
    file says of itself (pictures.measure_all), by its path relative to content/.
    """
    found: list[SiteError] = list(link_warnings(published, sources))
    for check in CHECKS:
        found.extend(check(site, sources))
    found.extend(location_warnings(sources, pictures or {}))
    return sorted(set(found), key=SiteError.sort_key)


def build_warnings(
    site: Site, sources: SiteSources, *, pictures: Mapping[str, Measured] | None = None
) -> list[SiteError]:
    """What `build` shows after its summary, of the site it publishes: links and images to
    nothing, pictures without alt text or with a GPS location, series and link-preview
    problems. Made from the rendered pages, so it costs a build little (`check` also
    parses every body)."""
    found = [*link_warnings(site, sources), *_missing_alt(site, sources)]
    found.extend(series_warnings(site, sources))
    found.extend(share_warnings(site, sources))
    found.extend(location_warnings(sources, pictures or {}))
    return sorted(set(found), key=SiteError.sort_key)


def location_warnings(sources: SiteSources, pictures: Mapping[str, Measured]) -> list[SiteError]:
    """Each source picture that holds where it was taken: its published copies do not, but
    the original in the site's folder (and its repository) still says it."""
    content = sources.site_dir / "content"
    return [
        SiteError(
            content / file,
            None,
            "warning: holds a GPS location (it is removed from the published copies; "
            "remove it from the original if it should not be kept)",
        )
        for file, measured in sorted(pictures.items())
        if measured.location
    ]


def _missing_alt(site: Site, sources: SiteSources) -> list[SiteError]:
    by_path = {source.path: source for source in (*sources.posts, *sources.pages)}
    warnings = []
    items: list[Post | Page] = [*site.posts, *site.pages]
    for item in items:
        source = by_path.get(item.source)
        if not item.images and not (source is not None and "<img" in source.body):
            continue  # most posts: nothing to read the page for
        html_text = str(item.html)
        for tag in _IMG_TAG.findall(html_text):
            alt = _ALT_VALUE.search(tag)
            if alt is not None and alt[1].strip():
                continue
            src = _SRC_VALUE.search(tag)
            where = html.unescape(src[1]) if src else tag
            line = link_line(source, where, site.info.base_path) if source else None
            warnings.append(
                SiteError(
                    item.source,
                    line,
                    f"warning: image {where} has no alt text (describe it: "
                    f"![What the picture shows]({where}))",
                )
            )
    return warnings


_ALT_VALUE = re.compile(r'\salt="([^"]*)"', re.IGNORECASE)
_SRC_VALUE = re.compile(r'\ssrc="([^"]*)"', re.IGNORECASE)


def series_warnings(site: Site, sources: SiteSources) -> list[SiteError]:
    """Gaps in part numbers, dates that run against part order, overdue planned parts."""
    lines = {source.path: source.line("part") or source.line("date") for source in sources.posts}
    warnings = []
    for series in site.series:
        numbers = [post.series.part for post in series.parts if post.series]
        # A part published in another language of a bilingual site is listed, not a gap.
        elsewhere = {entry.number for entry in series.translated}
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers) - elsewhere)
        if missing:
            after = series.parts[-1]
            listed = ", ".join(str(n) for n in missing)
            warnings.append(
                SiteError(
                    after.source,
                    lines.get(after.source),
                    f"warning: series '{series.slug}' has no part {listed} "
                    "(a gap readers will notice)",
                )
            )
        for earlier, later in zip(series.parts, series.parts[1:], strict=False):
            if later.date < earlier.date:
                warnings.append(
                    SiteError(
                        later.source,
                        lines.get(later.source),
                        f"warning: part {later.series.part if later.series else '?'} is dated "
                        f"before part {earlier.series.part if earlier.series else '?'} "
                        f"({earlier.source})",
                    )
                )
        # Quiet since the newest part by date, which need not be the highest-numbered one.
        newest = max(post.date for post in series.parts)
        if (
            series.status == "ongoing"
            and not elsewhere  # where another language has parts this one lacks, it says
            and series.planned
            and max(numbers) < series.planned
            and site.built_at - newest > OVERDUE
        ):
            warnings.append(
                SiteError(
                    sources.series.path,
                    sources.series.key_lines.get(series.slug),
                    f"warning: series '{series.slug}' plans {series.planned} parts, has "
                    f"{max(numbers)}, and nothing new since {newest:%Y-%m-%d}: "
                    "the next part is overdue (write it, or lower `planned`)",
                )
            )
    return warnings


def link_warnings(site: Site, sources: SiteSources) -> list[SiteError]:
    """Internal links in posts and pages that point at nothing this site publishes."""
    base = site.info.base_path
    known = {site.url(path) for path in ("", "series/", "tags/", "authors/", "archive/", "search/")}
    known |= {post.url for post in site.posts}
    known |= {page.url for page in site.pages}
    known |= {series.url for series in site.series}
    known |= {listing.tag.url for listing in site.tags}
    known |= {listing.author.page_url for listing in site.authors}
    root = site.files_path  # shared files: at the root of a bilingual site
    known |= {root + "images/" + image.as_posix() for image in sources.images}
    known |= {root + path.as_posix() for path in sources.static}
    known |= {root + output for _, output in site.files}
    known |= {root + quote(output, safe="/") for _, output in site.files}
    by_path = {source.path: source for source in (*sources.posts, *sources.pages)}
    warnings = []
    items: list[Post | Page] = [*site.posts, *site.pages]
    for item in items:
        # Raw HTML (allow_raw_html) may link too: then only the page's own HTML tells.
        source = by_path.get(item.source)
        body = source.body if source is not None else ""
        # One character first: most bodies hold no "<", and a search for one is far quicker.
        raw_html = "<" in body and ("<a" in body or "<img" in body)
        written = _HREF.findall(str(item.html)) if raw_html else [*item.links, *item.images]
        for url in written:
            target = html.unescape(url).split("#", 1)[0].split("?", 1)[0]
            if not target.startswith(base) or target.startswith("//") or target in known:
                continue
            plain = unquote(target)  # "%20" in a link is the space in the file's name
            candidates = {target, target + "/", target.removesuffix("index.html"), plain}
            if not candidates & known:
                source = by_path.get(item.source)
                warnings.append(
                    SiteError(
                        item.source,
                        link_line(source, url, base) if source else None,
                        f"warning: link to {target}, which this site does not publish "
                        "(fix the address, or publish the page it points to)",
                    )
                )
    return warnings


_HREF = re.compile(r'\s(?:href|src)="([^"]+)"')

# What link previews (LinkedIn first) show well: longer titles are cut, shorter descriptions
# look empty, and larger images are refused.
TITLE_MAX = 70
DESCRIPTION_RANGE = (100, 300)
IMAGE_MAX_BYTES = 5 * 1024 * 1024


def share_warnings(site: Site, sources: SiteSources) -> list[SiteError]:
    """What would spoil a post's link preview: og:image, title and description."""
    by_path = {source.path: source for source in sources.posts}
    pictures = pictures_by_url(site)
    warnings = []
    for post in site.posts:
        source = by_path.get(post.source)
        found: list[tuple[str, str]] = []
        if len(post.title) > TITLE_MAX:
            found.append(
                (
                    "title",
                    f"title is {len(post.title)} characters; link previews cut it after "
                    f"{TITLE_MAX} (shorten it)",
                )
            )
        low, high = DESCRIPTION_RANGE
        if not low <= len(post.summary) <= high:
            found.append(
                (
                    "summary",
                    f"description is {len(post.summary)} characters; link previews want "
                    f"{low} to {high} (write a `summary:` of that length)",
                )
            )
        problems = _image_problems(site, sources, post, pictures)
        found.extend(("image", problem) for problem in problems)
        for key, message in found:
            line = (source.line(key) or source.body_line) if source else None
            warnings.append(SiteError(post.source, line, f"warning: {message}"))
    if urlsplit(site.info.base_url).scheme != "https":
        warnings.append(
            SiteError(
                sources.site_dir / "journeyblog.toml",
                None,
                f"warning: base_url {site.info.base_url} is not https, so no og:image is; "
                "LinkedIn shows no picture (publish the site over https)",
            )
        )
    return warnings


def _image_problems(
    site: Site, sources: SiteSources, post: Post, pictures: Mapping[str, Picture]
) -> list[str]:
    """Why the post's own image would not show in a link preview (a card has none).
    `pictures`: cards.pictures_by_url(site)."""
    if post.image is None:
        return []
    url = urlsplit(post.image)
    if url.scheme:
        problems = []
        if url.scheme != "https":
            problems.append(f"og:image {post.image} is not an absolute https URL (use https)")
        suffix = PurePosixPath(url.path).suffix.lower()
        if suffix and suffix not in (".png", ".jpg", ".jpeg"):
            problems.append(f"og:image {post.image} is not PNG or JPEG (link previews need one)")
        return problems
    path = image_file(site, sources.site_dir, post.image)
    if path is None:
        return [f"og:image missing: {post.image} is not in content/images/ or static/"]
    from PIL import Image  # where an image is opened: see cards.py

    try:
        with Image.open(path) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, Image.DecompressionBombError):
        return [f"og:image {post.image} cannot be read as a picture (save it as PNG or JPEG)"]
    problems = []
    if kind not in PREVIEW_FORMATS:
        problems.append(
            f"og:image {post.image} is {kind}, not PNG or JPEG; previews will show the "
            "social card instead (convert it to PNG or JPEG)"
        )
    if width < CARD_WIDTH or height < CARD_HEIGHT:
        problems.append(
            f"og:image {post.image} is {width}x{height}; link previews want at least "
            f"{CARD_WIDTH}x{CARD_HEIGHT} (use a larger image)"
        )
    # A JPEG the site publishes copies of is previewed by one no wider than a card: far
    # under the limit, whatever the photograph weighs. A PNG copy may not be.
    copied = kind == "JPEG" and unquote(post.image) in pictures
    size = 0 if copied else path.stat().st_size
    if size > IMAGE_MAX_BYTES:
        problems.append(
            f"og:image {post.image} is {size / 1024 / 1024:.1f} MB; LinkedIn refuses images "
            "over 5 MB (compress it)"
        )
    return problems


# Link texts that say nothing out of context (WCAG 2.4.4): a screen reader's list of links
# would read "here, here, read more".
VAGUE_LINK_TEXTS = frozenset(
    {"click here", "here", "read more", "more", "click", "link", "this link", "this", "go"}
)


def accessibility_warnings(site: Site, sources: SiteSources) -> list[SiteError]:
    """Images without alt text, skipped heading levels and vague link texts, by file and line.

    Every post and page is checked, whatever its level: an internal reader deserves the same.
    """
    warnings = []
    for source in (*sources.posts, *sources.pages):
        for line, message in _accessibility_problems(source.body):
            warnings.append(SiteError(source.path, source.body_line + line, f"warning: {message}"))
    return warnings


def _accessibility_problems(body: str) -> list[tuple[int, str]]:
    """(line within body, counted from 0, message) for every problem in one Markdown body."""
    problems: list[tuple[int, str]] = []
    previous = 1  # the page title is the h1
    for token in _TOKENS.parse(body):
        start = token.map[0] if token.map else 0
        if token.type == "heading_open":
            level = int(token.tag[1])
            if level == 1:
                problems.append(
                    (start, "a '#' heading in the body: the title is the page's only h1 (use '##')")
                )
            elif level > previous + 1:
                problems.append(
                    (
                        start,
                        f"heading level skipped: {'#' * level} after {'#' * previous} "
                        f"(use {'#' * (previous + 1)}, so screen-reader users keep their place)",
                    )
                )
            previous = level
        elif token.type == "inline":
            problems.extend(_inline_problems(token.children or [], start))
        elif token.type == "html_block":
            problems.extend((start, message) for message in _html_image_problems(token.content))
    return problems


def _inline_problems(children: Sequence[Token], line: int) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    link_text: list[str] | None = None
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "image":
            if not child.content.strip():
                src = child.attrGet("src")
                problems.append(
                    (
                        line,
                        f"image {src} has no alt text (describe it: ![What the picture shows]"
                        f"({src}))",
                    )
                )
            if link_text is not None:
                link_text.append(child.content)
        elif child.type == "html_inline":
            problems.extend((line, message) for message in _html_image_problems(child.content))
        elif child.type == "link_open":
            link_text = []
        elif child.type == "link_close" and link_text is not None:
            text = " ".join(" ".join(link_text).split())
            if text.lower().strip(" .:!…") in VAGUE_LINK_TEXTS or not text:
                shown = f"'{text}'" if text else "no text"
                problems.append(
                    (
                        line,
                        f"link with {shown} (say where it goes: "
                        "[the 2024 cloud strategy](...), not [here](...))",
                    )
                )
            link_text = None
        elif link_text is not None and child.type in ("text", "code_inline"):
            link_text.append(child.content)
    return problems


def _html_image_problems(html_text: str) -> list[str]:
    """Raw <img> tags (sites with allow_raw_html) without an alt attribute."""
    return [
        f'image {tag} has no alt attribute (add alt="what the picture shows")'
        for tag in _IMG_TAG.findall(html_text)
        if not _ALT.search(tag)
    ]


# CommonMark plus tables: enough to find headings, images and links with their lines. Rendering
# plugins (footnotes, anchors) change neither, so this parser agrees with markdown.py on them.
_TOKENS = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)


CHECKS: Sequence[Check] = (series_warnings, share_warnings, accessibility_warnings)
