"""Parsed sources -> the Site a reader of one audience may see.

Owns validation of front matter and data files, the choice of what is published (through
`audience.exclusion_reason`, once, for every channel), and the construction of every model
value: the only place a Post is made. Series order, tags and authors are resolved here once.
No I/O: Markdown rendering is passed in, so callers can cache or parallelise it.
"""

from __future__ import annotations

import functools
import operator
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from datetime import date as date_type
from html import escape
from html import unescape as html_unescape
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, cast
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

from journeyblog import audience as audience_rules
from journeyblog import schema
from journeyblog import series as series_rules
from journeyblog.config import SiteConfig, by_language, language_folder, names_language
from journeyblog.errors import SiteError
from journeyblog.figures import Measured, Picture, picture
from journeyblog.kept import Kept, Unkept
from journeyblog.markdown import render_markdown
from journeyblog.markers import Problem, strip_level_blocks
from journeyblog.model import (
    Author,
    AuthorListing,
    Extra,
    Page,
    Post,
    PostLink,
    SecurityLevel,
    Series,
    SeriesPosition,
    Site,
    SiteInfo,
    Tag,
    TagListing,
    Withheld,
)
from journeyblog.places import Places, is_relative, normalised, resolve
from journeyblog.rendered import Rendered
from journeyblog.sources import DataFile, SiteSources, Source

SUMMARY_LIMIT = 300
# Top-level output names a page slug may not take.
RESERVED = frozenset(
    {
        "posts",
        "series",
        "tags",
        "authors",
        "archive",
        "page",
        "images",
        "assets",
        "media",
        "search",
        "syndication",
        "feed.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "index.html",
        "publication-manifest.json",
    }
)

RenderBodies = Callable[[Sequence[str]], list[Rendered]]
_Document = TypeVar("_Document", Post, Page)


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What this build publishes: the audience and the cutoff."""

    now: datetime  # timezone-aware; the cutoff unless `future`
    audience: str | None = None  # None: the config's audience
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class _Checked:
    """A post's front matter after validation, before its body is rendered."""

    source: Source
    id: str
    slug: str
    title: str
    date: datetime
    updated: datetime
    author: str
    level: SecurityLevel
    series: str | None
    part: int | None
    tags: tuple[str, ...]
    summary: str | None
    draft: bool
    canonical: str | None
    image: str | None
    image_alt: str
    aliases: tuple[str, ...]
    extra: Extra


@dataclass(frozen=True, slots=True, kw_only=True)
class Elsewhere:
    """What a bilingual site's other languages publish and withhold: a link or a picture
    from this language to theirs resolves, or is refused, as one to its own would be."""

    published: Mapping[str, str]  # post or page source file (normalised) -> its URL
    withheld: Mapping[str, str]  # post or page source file (normalised) -> why
    targets: Mapping[str, str]  # URL path from the site's root ("cy/posts/x/") -> why
    indexes: tuple[str, ...] = ()  # their names of a post's own folder's file: "index.en.md"


def placements(config: SiteConfig, sources: SiteSources, selection: Selection) -> Elsewhere:
    """Where this build puts each post and page of `sources`, or why it withholds it, from
    their front matter alone (their problems are reported where they are assembled)."""
    ignored: list[SiteError] = []
    levels = audience_rules.security_levels(config.security_levels)
    audience = audience_rules.parse_level(selection.audience or config.audience, levels)
    if audience is None:
        raise ValueError(f"unknown audience {selection.audience!r}")
    authors = _authors(sources.authors, config, ignored)
    series_meta = _series_meta(sources.series, ignored, config)
    images = {f"images/{PurePosixPath(*p.parts)}" for p in sources.images}
    published: dict[str, str] = {}
    withheld: dict[str, str] = {}
    targets: dict[str, str] = {}
    listed: set[str] = set()  # the tag, author and series pages of the posts published
    unlisted: set[str] = set()  # those of the posts withheld
    for source in sources.posts:
        post = _check_post(
            source, config, levels, authors, series_meta, images, ignored, sources=sources
        )
        if post is None:
            continue
        reason = _exclusion(post, audience, selection)
        lists = {f"tags/{_slugify(name)}/" for name in post.tags} | {f"authors/{post.author}/"}
        lists |= {f"series/{post.series}/"} if post.series else set()
        (listed if reason is None else unlisted).update(lists)
        if reason is None:
            published[normalised(source.path)] = f"{config.base_path}posts/{post.slug}/"
            continue
        why = withheld[normalised(source.path)] = _why(post, reason)
        targets[f"{config.language_path}posts/{post.slug}/"] = why
        for alias in post.aliases:
            targets[config.language_path + alias.removesuffix("index.html")] = why
    for source in sources.pages:
        page = _check_page(source, levels, audience, selection, ignored, config.languages)
        if page is None:
            continue
        _, slug, why_page = page
        if why_page is None:
            published[normalised(source.path)] = f"{config.base_path}{slug}/"
        else:
            why = withheld[normalised(source.path)] = _page_why(source, why_page)
            targets[f"{config.language_path}{slug}/"] = why
    for listing in unlisted - listed:  # a listing only withheld posts are on is not published
        targets[config.language_path + listing] = "not published to this audience"
    return Elsewhere(published=published, withheld=withheld, targets=targets)


def assemble(
    config: SiteConfig,
    sources: SiteSources,
    *,
    selection: Selection,
    render_bodies: RenderBodies | None = None,
    pictures: Mapping[str, Measured] | None = None,
    elsewhere: Elsewhere | None = None,
    kept: Kept | None = None,
) -> tuple[Site, list[SiteError]]:
    """Turn parsed sources into the site a reader of the selected audience may see.

    `pictures` is what each picture file's header says, by its path relative to content/
    ("images/map.jpg"), so that pages show pictures sized (pictures.measure_all).
    `elsewhere`: in a bilingual site, what the other languages publish and withhold.
    `kept`: what an earlier assemble of this site made (Kept), brought up to date here."""
    kept = kept if kept is not None else Unkept()
    errors: list[SiteError] = []
    levels = audience_rules.security_levels(config.security_levels)
    audience = audience_rules.parse_level(selection.audience or config.audience, levels)
    if audience is None:
        # The CLI checks --audience first; this keeps the function total.
        raise ValueError(f"unknown audience {selection.audience!r}")
    base_path = config.base_path
    # Shared files (images, static files, avatars) are at the root of a bilingual site.
    root_path = config.root_path
    render = render_bodies or _renderer(root_path, config.allow_raw_html)

    audience = kept.interned("audience", audience)

    def data() -> tuple[dict[str, Author], dict[str, dict[str, Any]], list[SiteError]]:
        found: list[SiteError] = []
        return (
            _authors(sources.authors, config, found),
            _series_meta(sources.series, found, config),
            found,
        )

    authors, series_meta, found = kept.made("data", (sources.authors, sources.series, config), data)
    errors.extend(found)
    images = {f"images/{PurePosixPath(*p.parts)}" for p in sources.images}
    images |= {str(PurePosixPath(*p.parts)) for p in sources.static}

    checked: list[_Checked] = []
    # A file's check depends on it, the config and the site's other files but no post.
    around = (
        config,
        sources.authors,
        sources.series,
        sources.images,
        sources.static,
        sources.files,
    )
    for source in sources.posts:

        def check(source: Source = source) -> tuple[_Checked | None, list[SiteError]]:
            found: list[SiteError] = []
            post = _check_post(
                source, config, levels, authors, series_meta, images, found, sources=sources
            )
            return post, found

        post, found = kept.made(("check", id(source)), (source, *around), check)
        errors.extend(found)
        if post is not None:
            checked.append(post)
    _check_unique(checked, errors)

    published: list[_Checked] = []
    excluded: list[tuple[_Checked, audience_rules.Reason]] = []
    # Part numbers of withheld posts, only to show "not published" in placeholder mode.
    withheld_parts: dict[str, list[int]] = {}
    for post in checked:
        reason = _exclusion(post, audience, selection)
        if reason is None:
            published.append(post)
        else:
            excluded.append((post, reason))
            if config.excluded_parts == "placeholder" and post.series and post.part:
                withheld_parts.setdefault(post.series, []).append(post.part)

    checked_pages = [
        p
        for p in (
            _check_page(s, levels, audience, selection, errors, config.languages)
            for s in sources.pages
        )
        if p
    ]
    page_sources = [(source, slug) for source, slug, why in checked_pages if why is None]
    withheld_pages = [(source, slug, why) for source, slug, why in checked_pages if why]
    bodies = []
    removed_blocks: list[tuple[Source, list[str]]] = []
    for source in (*(post.source for post in published), *(page for page, _ in page_sources)):

        def strip(source: Source = source) -> tuple[str, list[Problem], list[str]]:
            return strip_level_blocks(
                source.body,
                audience=audience,
                levels=levels,
                first_line=source.body_line,
                raw_html=config.allow_raw_html,
            )

        body, problems, removed = kept.made(
            ("strip", id(source)), (source, audience, config), strip
        )
        if problems:
            errors.extend(SiteError(source.path, line, message) for line, message in problems)
        if removed:
            removed_blocks.append((source, removed))
        bodies.append(body)

    # Withheld bodies are rendered too: the audit looks for runs of their words as shown.
    held_back = [post.source.body for post, _ in excluded]
    held_back += ["\n\n".join(blocks) for _, blocks in removed_blocks]
    held_back += [source.body for source, _, _ in withheld_pages]
    rendered = render([*bodies, *held_back])
    post_rendered = rendered[: len(published)]
    page_rendered = rendered[len(published) : len(bodies)]
    withheld_rendered = rendered[len(bodies) :]
    # What each withheld text shows, in the order `withheld` is made: its pictures are held back.
    held_count = len(excluded) + len(removed_blocks)
    withheld_shows = [
        (
            *body.images,
            *body.links,
            *(url for _, url in raw_urls(str(body.html)) if config.allow_raw_html),
        )
        for body in (
            *withheld_rendered[: len(excluded)],
            *withheld_rendered[held_count:],
            *withheld_rendered[len(excluded) : held_count],
        )
    ]
    image_files = _image_files(sources)
    withheld = [
        _withheld(post, reason, str(body.html), image_files)
        for (post, reason), body in zip(excluded, withheld_rendered, strict=False)
    ]
    withheld_rendered = withheld_rendered[len(excluded) :]
    for (source, slug, why), page_body in zip(
        withheld_pages, withheld_rendered[len(removed_blocks) :], strict=True
    ):
        title = _text(source.meta.get("title"))
        withheld.append(
            Withheld(
                source=source.path,
                reason=why,
                canaries=(("title", title), ("slug", slug)),
                texts=(str(page_body.html), escape(title)),
                image_paths=_images_named([source.body], image_files),
            )
        )
    for (source, blocks), block_body in zip(
        removed_blocks, withheld_rendered[: len(removed_blocks)], strict=True
    ):
        withheld.append(
            Withheld(
                source=source.path,
                reason="level",
                canaries=(),
                texts=(str(block_body.html),),
                image_paths=_images_named(blocks, image_files),
                whole_post=False,
            )
        )

    pages = _pages(page_sources, page_rendered, config, errors)
    posts, links = _posts(
        published, post_rendered, config, authors, series_meta, withheld_parts, kept
    )
    _check_aliases(posts, pages, sources, errors)
    why_withheld = {normalised(post.source.path): _why(post, reason) for post, reason in excluded}
    why_withheld.update((normalised(source.path), why) for source, _, why in withheld_pages)
    others = elsewhere or Elsewhere(published={}, withheld={}, targets={})
    places = Places(
        content=normalised(sources.site_dir / "content"),
        base_path=root_path,
        published={
            **others.published,
            **{normalised(post.source): post.url for post in posts},
            **{normalised(page.source): page.url for page in pages},
        },
        withheld={**others.withheld, **why_withheld},
        indexes=index_names(config) + others.indexes,
        images=frozenset(f"images/{PurePosixPath(*p.parts)}" for p in sources.images),
        files=frozenset(str(PurePosixPath(*p.parts)) for p in sources.files),
        known=_known_urls(posts, pages, sources, base_path, root_path),
    )
    withheld = _with_bundles(withheld, withheld_shows, places)
    posts, pages, shown, files, placements = _placed(
        posts, pages, places, sources, errors, kept, raw_html=config.allow_raw_html
    )
    pictures_at = kept.interned(
        "pictures", _pictures(withheld, files, shown, pictures or {}, root_path)
    )
    posts, pages = _sized(posts, pictures_at, kept), _sized(pages, pictures_at, kept)

    info = SiteInfo(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.pages_url,
        base_path=base_path,
        root_path=root_path if config.bilingual else "",
        root_url=config.base_url if config.bilingual else "",
        audience=audience,
        posts_per_page=config.posts_per_page,
        feed_url=base_path + "feed.xml",
        rss_url=base_path + "rss.xml",
        json_feed_url=base_path + "feed.json",
    )
    newest_first = tuple(sorted(posts, key=lambda p: (p.date, p.slug), reverse=True))
    site = Site(
        info=info,
        posts=newest_first,
        pages=tuple(pages),
        series=_series(posts, series_meta, base_path, kept),
        tags=_tags(newest_first),
        authors=_author_listings(newest_first),
        withheld=tuple(withheld),
        built_at=selection.now,
        files=tuple(sorted(files.items())),
        pictures=tuple(pictures_at.values()),
    )
    shown_by: list[Post | Page] = [*posts, *pages]
    raw = config.allow_raw_html
    shows = [(item.source, item.url, _shows(item, raw_html=raw)) for item in shown_by]
    # A relative link to a withheld post is refused where it is placed (places.py) too.
    # The pages this build withholds are withheld places too, as other languages' are.
    held_pages = {f"{slug}/": _page_why(source, why) for source, slug, why in withheld_pages}
    linked = _links_to_withheld(site, excluded, shows, sources, {**others.targets, **held_pages})
    errors.extend(error for error in linked if error not in errors)
    kept.forget_unused()

    # What `revise` takes a body edited from; a site of one language, without errors, only.
    def assembly() -> _Assembly:
        return _Assembly(
            config=config,
            sources=sources,
            selection=selection,
            pictures=pictures,
            levels=tuple(levels),
            audience=audience,
            authors=authors,
            series_meta=series_meta,
            images=frozenset(images),
            places=places,
            pictures_at=pictures_at,
            excluded=tuple(excluded),
            held_pages=held_pages,
            removed=frozenset(source.path for source, _ in removed_blocks),
            site=site,
            entries={
                entry.checked.source.path: entry
                for entry in map(_Entry, published, links, placements, posts)
            },
        )

    kept.remember("assembly", None if errors or elsewhere else assembly)
    return site, errors


# ---------------------------------------------------------------- a body edited


@dataclass(frozen=True, slots=True)
class _Entry:
    """A published post as assemble made it: checked, linked, placed and sized."""

    checked: _Checked
    link: PostLink
    placement: _Placement
    post: Post


@dataclass(frozen=True, slots=True, kw_only=True)
class _Assembly:
    """What assemble knew when it made `site` from `sources`, for `revise`."""

    config: SiteConfig
    sources: SiteSources
    selection: Selection
    pictures: Mapping[str, Measured] | None
    levels: tuple[SecurityLevel, ...]
    audience: SecurityLevel
    authors: Mapping[str, Author]
    series_meta: Mapping[str, Any]
    images: frozenset[str]
    places: Places
    pictures_at: Mapping[str, tuple[str, Picture]]
    excluded: tuple[tuple[_Checked, audience_rules.Reason], ...]
    held_pages: Mapping[str, str]  # the address of each page withheld -> why
    removed: frozenset[Path]  # posts with blocks above the audience
    site: Site
    entries: Mapping[Path, _Entry]  # by source file


def revise(
    config: SiteConfig,
    sources: SiteSources,
    *,
    selection: Selection,
    render_bodies: RenderBodies,
    pictures: Mapping[str, Measured] | None,
    kept: Kept,
) -> Site | None:
    """What assemble gives, without errors, when `sources` differ from those of its last
    call (`kept`) in one published post's body alone and the new body changes nothing but
    that post: not its summary, pictures, files or level blocks, nor a link to anything
    withheld. None otherwise: assemble works that out. One post is made again, not the site.
    """
    last = kept.recall("assembly")
    if (
        not isinstance(last, _Assembly)
        or config is not last.config
        or pictures is not last.pictures
    ):
        return None
    was = last.selection
    if (selection.audience, selection.drafts, selection.future) != (
        was.audience,
        was.drafts,
        was.future,
    ) or selection.now < was.now:
        return None
    edited = _one_body_edited(last.sources, sources)
    entry = last.entries.get(edited.path) if edited is not None else None
    if edited is None or entry is None or edited.path in last.removed:
        return None
    if any(_exclusion(post, last.audience, selection) != why for post, why in last.excluded):
        return None  # a post dated in the future is now due
    found: list[SiteError] = []
    checked = _check_post(
        edited,
        config,
        last.levels,
        last.authors,
        last.series_meta,
        set(last.images),
        found,
        sources=sources,
    )
    if found or checked is None or replace(checked, source=entry.checked.source) != entry.checked:
        return None
    body, problems, removed = strip_level_blocks(
        edited.body,
        audience=last.audience,
        levels=last.levels,
        first_line=edited.body_line,
        raw_html=config.allow_raw_html,
    )
    if problems or removed:
        return None
    [rendered] = render_bodies([body])
    link = _link(checked, rendered, config.base_path)
    if link != entry.link:
        return None  # the summary changed: the series' other parts show it
    old = entry.post
    tags = {tag.name: tag for tag in old.tags}
    post = _post(checked, rendered, link, old.series, old.author, config, tags)
    images_at = {last.places.base_path + image: image for image in last.places.images}
    placement = _place(post, edited, last.places, images_at, raw_html=config.allow_raw_html)
    if (placement.errors, placement.files, placement.shown) != (
        (),
        entry.placement.files,
        entry.placement.shown,
    ):
        return None
    post = _sized_one(cast(Post, placement.item), last.pictures_at)
    if post.images != old.images:
        return None  # what published posts show decides which pictures are withheld
    site = _with_post(last.site, old, post, selection.now)
    shows = [(edited.path, post.url, _shows(post, raw_html=config.allow_raw_html))]
    if _links_to_withheld(site, last.excluded, shows, sources, last.held_pages):
        return None
    entries = dict(last.entries)
    entries[edited.path] = _Entry(checked, link, placement, post)
    kept.remember(
        "assembly",
        functools.partial(
            replace, last, sources=sources, selection=selection, site=site, entries=entries
        ),
    )
    return site


def _one_body_edited(before: SiteSources, after: SiteSources) -> Source | None:
    """The one post of `after` whose body alone differs from `before`, every other part the
    very same object; else None."""
    kept = ("authors", "series", "images", "static", "files")
    if before.site_dir != after.site_dir or any(
        getattr(before, name) is not getattr(after, name) for name in kept
    ):
        return None
    if len(before.pages) != len(after.pages) or len(before.posts) != len(after.posts):
        return None
    if not all(map(operator.is_, before.pages, after.pages)):
        return None
    differ = [
        (old, new) for old, new in zip(before.posts, after.posts, strict=True) if old is not new
    ]
    if len(differ) != 1:
        return None
    old, new = differ[0]
    if old.path != new.path or (old.key_lines, old.body_line) != (new.key_lines, new.body_line):
        return None
    return new if _identical(old.meta, new.meta) else None


def _identical(one: object, other: object) -> bool:
    """Equal, and of the same types throughout: YAML's `1` and `true` are equal, but a
    theme prints them differently."""
    if type(one) is not type(other):
        return False
    if isinstance(one, Mapping) and isinstance(other, Mapping):
        keys = list(one)
        return _identical(keys, list(other)) and all(_identical(one[k], other[k]) for k in keys)
    if isinstance(one, list | tuple) and isinstance(other, list | tuple):
        return len(one) == len(other) and all(map(_identical, one, other))
    return one == other


def _with_post(site: Site, old: Post, new: Post, now: datetime) -> Site:
    """`site` with `new` wherever it lists `old`: a post with the same place in each list."""

    def swapped(posts: tuple[Post, ...]) -> tuple[Post, ...]:
        return tuple(new if post is old else post for post in posts)

    series = old.series.series_slug if old.series else None
    tags = {tag.slug for tag in old.tags}
    return replace(
        site,
        posts=swapped(site.posts),
        series=tuple(
            replace(one, parts=swapped(one.parts)) if one.slug == series else one
            for one in site.series
        ),
        tags=tuple(
            replace(one, posts=swapped(one.posts)) if one.tag.slug in tags else one
            for one in site.tags
        ),
        authors=tuple(
            replace(one, posts=swapped(one.posts)) if one.author.slug == old.author.slug else one
            for one in site.authors
        ),
        built_at=now,
    )


def _renderer(base_path: str, allow_raw_html: bool) -> RenderBodies:
    def render(texts: Sequence[str]) -> list[Rendered]:
        return [
            render_markdown(t, base_path=base_path, allow_raw_html=allow_raw_html) for t in texts
        ]

    return render


# ---------------------------------------------------------------- places


@dataclass(frozen=True, slots=True)
class _Placement:
    """One post or page with its relative links and pictures resolved, and what that found."""

    item: Post | Page
    errors: tuple[SiteError, ...]
    files: tuple[tuple[str, str], ...]  # files beside it it publishes: (file, output path)
    shown: tuple[str, ...]  # pictures of content/ it shows


def _placed(
    posts: Sequence[Post],
    pages: Sequence[Page],
    places: Places,
    sources: SiteSources,
    errors: list[SiteError],
    kept: Kept,
    *,
    raw_html: bool = False,
) -> tuple[list[Post], list[Page], set[str], dict[str, str], list[_Placement]]:
    """Posts and pages with their relative links and pictures resolved (places.py); the
    pictures of content/ they show (relative to content/), the files beside the posts
    they publish (relative to content/ -> output path); and each post's placement."""
    by_file = {source.path: source for source in (*sources.posts, *sources.pages)}
    places = kept.interned("places", places)
    images_at = {places.base_path + image: image for image in places.images}
    shown: set[str] = set()
    files: dict[str, str] = {}

    def placed(item: Post | Page) -> _Placement:
        source = by_file[item.source]
        inputs = (item, source, places, raw_html)
        place = functools.partial(_place, item, source, places, images_at, raw_html=raw_html)
        made = kept.made(("placed", id(item.source)), inputs, place)
        if made.errors or made.files or made.shown:
            errors.extend(made.errors)
            files.update(made.files)
            shown.update(made.shown)
        return made

    placements = [placed(post) for post in posts]
    placed_pages = [cast(Page, placed(page).item) for page in pages]
    shown.update(f for f in files if f.startswith("images/"))
    for file in list(files):
        if file.startswith("images/"):
            del files[file]  # content/images/ is published whole
    placed_posts = [cast(Post, placement.item) for placement in placements]
    return placed_posts, placed_pages, shown, files, placements


def _place(
    item: Post | Page,
    source: Source,
    places: Places,
    images_at: Mapping[str, str],
    *,
    raw_html: bool,
) -> _Placement:
    errors: list[SiteError] = []
    files: dict[str, str] = {}
    if isinstance(item, Post):
        item = _lead(item, source, places, errors, files)
    urls: dict[str, str] = {}
    seen: dict[str, int] = {}
    written = [(target, False) for target in item.links]
    written += [(target, True) for target in item.images]
    if raw_html and "<" in source.body:
        # Links and pictures written in HTML are resolved alike (figures.finish rewrites
        # every href and src), so the page is read for them.
        known = set(item.links) | set(item.images)
        for name, target in raw_urls(str(item.body.html)):
            if target not in known:
                written.append((target, name != "href"))
    for target, is_picture in written:
        if not is_relative(target) or target in urls:
            continue
        nth = seen[target] = seen.get(target, -1) + 1
        where = resolve(target, item.source, item.url, places, picture=is_picture)
        if where.error is not None:
            line = link_line(source, target, places.base_path, nth)
            errors.append(SiteError(item.source, line, where.error))
        elif where.url is not None:
            urls[target] = where.url
            if where.file is not None and where.output is not None:
                files[where.file] = where.output
    links = tuple(urls.get(target, target) for target in item.links)
    images = tuple(urls.get(target, target) for target in item.images)
    shown = [
        file
        for file in (images_at.get(unquote(urlsplit(html_unescape(i)).path)) for i in images)
        if file is not None
    ]
    if isinstance(item, Post) and item.image and not _is_http_url(item.image):
        shown.append(item.image.removeprefix(places.base_path))
    if urls:
        body = replace(item.body, urls=tuple(urls.items()))
        item = replace(item, body=body, links=links, images=images)
    return _Placement(item, tuple(errors), tuple(files.items()), tuple(shown))


def _lead(
    post: Post, source: Source, places: Places, errors: list[SiteError], files: dict[str, str]
) -> Post:
    """A lead image from beside the post: published as its pictures are."""
    file = post.image.removeprefix(places.base_path) if post.image else ""
    if not file or file not in places.files:
        return post
    folder = posixpath.dirname(normalised(post.source))
    written = posixpath.relpath(f"{places.content}/{file}", folder)
    where = resolve(written, post.source, post.url, places)
    if where.error is not None or where.url is None:
        errors.append(SiteError(post.source, source.line("image") or 1, where.error or ""))
        return post
    if where.file is not None and where.output is not None:
        files[where.file] = where.output
    return replace(post, image=where.url)


# A URL in an attribute of HTML written by hand: any case, quoted either way or not at all.
_RAW_URL = re.compile(
    r"""\s(href|src|srcset|poster|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def raw_urls(html: str) -> list[tuple[str, str]]:
    """(attribute, URL) of every link and picture in `html`, comments left out; each URL of
    a srcset on its own."""
    found = []
    for name, double, single, bare in _RAW_URL.findall(_COMMENT.sub("", html)):
        value = html_unescape(double or single or bare).strip()
        name = name.lower()
        if name == "srcset":
            found += [(name, part.split()[0]) for part in value.split(",") if part.split()]
        elif value:
            found.append((name, value))
    return found


def _pictures(
    withheld: Sequence[Withheld],
    files: Mapping[str, str],
    shown: set[str],
    measured: Mapping[str, Measured],
    base_path: str,
) -> dict[str, tuple[str, Picture]]:
    """Every picture the site publishes, by its URL unquoted: (its file relative to content/,
    the Picture). A picture of content/images/ only withheld posts show is not published."""
    held = {path for item in withheld for path in item.image_paths}
    at: dict[str, tuple[str, Picture]] = {}
    for file in sorted(measured):
        if file.startswith("images/"):
            if file in held and file not in shown:
                continue
            output = file
        elif file in files:
            output = files[file]
        else:
            continue
        url = base_path + quote(output, safe="/")
        at[unquote(url)] = (file, picture(url, measured[file]))
    return at


def _sized(
    items: Sequence[_Document], at: Mapping[str, tuple[str, Picture]], kept: Kept
) -> list[_Document]:
    """Each post or page with the pictures it shows, as its HTML writes their URLs."""
    if not at:
        return list(items)
    return [
        kept.made(("sized", id(item.source)), (item, at), functools.partial(_sized_one, item, at))
        for item in items
    ]


def _sized_one(item: _Document, at: Mapping[str, tuple[str, Picture]]) -> _Document:
    shows = {}
    for src in item.images:
        found = at.get(unquote(urlsplit(html_unescape(src)).path))
        if found is not None:
            shows[src] = replace(found[1], url=src)
    if shows:
        item = replace(item, body=replace(item.body, pictures=tuple(shows.values())))
    return item


def _known_urls(
    posts: Sequence[Post],
    pages: Sequence[Page],
    sources: SiteSources,
    base_path: str,
    root_path: str,
) -> frozenset[str]:
    """The URLs a link written relative to its page may lead to without being an error."""
    known = {base_path, *(f"{base_path}{name}/" for name in ("archive", "search", "series"))}
    known |= {f"{base_path}{name}" for name in ("feed.xml", "rss.xml", "feed.json", "404.html")}
    known |= {f"{base_path}tags/", f"{base_path}authors/"}
    known |= {post.url for post in posts}
    known |= {f"{base_path}archive/{year}/" for year in {post.date.year for post in posts}}
    known |= {base_path + a.removesuffix("index.html") for post in posts for a in post.aliases}
    known |= {tag.url for post in posts for tag in post.tags}
    known |= {post.author.page_url for post in posts}
    known |= {post.series.series_url for post in posts if post.series}
    known.update(page.url for page in pages)
    known.update(f"{root_path}images/{PurePosixPath(*p.parts)}" for p in sources.images)
    known.update(f"{root_path}{PurePosixPath(*p.parts)}" for p in sources.static)
    return frozenset(known)


def _with_bundles(
    withheld: Sequence[Withheld], shows: Sequence[Sequence[str]], places: Places
) -> list[Withheld]:
    """Withheld texts with every file of content/ they show or link to, however the path is
    written, and withheld posts with the files of their own folders: none is published
    unless a published post shows it, and the audit looks for their bytes."""
    result = []
    for item, shown in zip(withheld, shows, strict=True):
        path = normalised(item.source)
        named = set(item.image_paths) | set(_files_named(item.source, shown, places))
        name = path.rsplit("/", 1)[-1]
        if item.whole_post and name in places.indexes:
            folder = path[len(places.content) + 1 : -len(name)]
            named.update(f for f in places.files if f.startswith(folder))
        if named != set(item.image_paths):
            item = replace(item, image_paths=tuple(sorted(named)))
        result.append(item)
    return result


def _files_named(source: Path, shown: Sequence[str], places: Places) -> list[str]:
    """The files of content/ (relative to it) that links and pictures as rendered name."""
    found = []
    folder = posixpath.dirname(normalised(source))
    for target in shown:
        url = urlsplit(html_unescape(target))
        if url.scheme or url.netloc or not url.path:
            continue
        path = unquote(url.path)
        if path.startswith("/"):
            relative = posixpath.normpath(path.removeprefix(places.base_path).lstrip("/"))
        else:
            full = posixpath.normpath(posixpath.join(folder, path))
            if not full.startswith(places.content + "/"):
                continue
            relative = full[len(places.content) + 1 :]
        if relative in places.images or relative in places.files:
            found.append(relative)
    return found


# ---------------------------------------------------------------- links


def _shows(item: Post | Page, *, raw_html: bool) -> tuple[str, ...]:
    """Every link and picture of a post or page: written in Markdown, and with raw HTML
    allowed, in HTML (an <a href> to a withheld post names it as a Markdown link does)."""
    written = (*item.links, *item.images)
    if not raw_html:
        return written
    known = set(written)
    in_html = (url for _, url in raw_urls(str(item.body.html)) if url not in known)
    return (*written, *dict.fromkeys(in_html))


def _links_to_withheld(
    site: Site,
    excluded: Sequence[tuple[_Checked, audience_rules.Reason]],
    documents: Sequence[tuple[Path, str, Sequence[str]]],
    sources: SiteSources,
    elsewhere: Mapping[str, str],
) -> list[SiteError]:
    """Every link or image of a published post or page, or URL in its summary, series or
    author record, that points at something this build withholds: a withheld post (by URL,
    alias or source file), an image only withheld posts show, a tag, author or series page
    that this audience does not get. A link is a leak of what it names (the slug comes from
    the title) and a broken link besides."""
    # By lower case: a host that ignores case serves /posts/Slug/ as /posts/slug/.
    withheld = {
        target.lower(): why
        for target, why in {**elsewhere, **_withheld_targets(site, excluded)}.items()
    }
    if not withheld:
        return []
    errors = []
    by_file = {source.path: source for source in (*sources.posts, *sources.pages)}
    pages = {source.path for source in sources.pages}
    host = _host(urlsplit(site.info.base_url))
    for path, page_url, shown in documents:
        source = by_file[path]
        targets: list[tuple[str, int | None]] = [(t, None) for t in shown]
        if isinstance(source.meta.get("summary"), str):
            summary_line = source.line("summary")
            targets.extend((url, summary_line) for url in _urls_in(source.meta["summary"]))
        # An alias is an address this build writes: a withheld post's would name it.
        aliases = source.meta.get("aliases")
        for index, alias in enumerate([aliases] if isinstance(aliases, str) else aliases or []):
            if isinstance(alias, str):
                line = source.line(f"aliases.{index}") or source.line("aliases")
                targets.append(("/" + alias.strip().lstrip("/"), line))
        for target, line in targets:
            if target.startswith(("#", "mailto:")) or (
                target.lower().startswith(("http://", "https://")) and _host(target) != host
            ):
                continue  # nothing of this site
            absolute = target if target.startswith("/") else urljoin(page_url, target)
            reason = _withheld_reason(absolute, site, withheld)
            if reason is not None:
                errors.append(
                    SiteError(
                        source.path,
                        line or link_line(source, target, site.info.base_path),
                        f"links to '{target}', which this build withholds ({reason}):"
                        f" {_unlink_remedy(reason, 'page' if source.path in pages else 'post')}",
                    )
                )
    for data in (sources.authors, sources.series):
        for slug, entry in data.data.items():
            for text in schema.texts_in(entry):
                for target in _urls_in(text):
                    reason = _withheld_reason(target, site, withheld)
                    if reason is not None:
                        errors.append(
                            SiteError(
                                data.path,
                                data.line(slug),
                                f"links to '{target}', which this build withholds ({reason}):"
                                " remove the link",
                            )
                        )
    return list(dict.fromkeys(errors))  # a link the page shows as written and as it leads


def _unlink_remedy(reason: str, kind: str) -> str:
    """What to do about a link to what this build withholds for `reason`, from a `kind`."""
    if reason == "draft":
        return "remove the link, or publish the draft first"
    if reason == "future":
        return f"remove the link, or date this {kind} after what it links to"
    return f"remove the link or raise this {kind}'s level"


# A site URL written in plain text (a summary, a bio): root-relative or absolute.
_URL_IN_TEXT = re.compile(r"(?:https?://[^\s\"'<>()]+|(?<![\w/])/[\w\-./%#]+)")
_LINK_IN_TEXT = re.compile(r"\]\(\s*<?([^)\s>]+)")  # a Markdown link's target: [x](target)


def _urls_in(text: str) -> list[str]:
    """The site URLs and Markdown link targets written in a text (a summary, a bio)."""
    return [*_URL_IN_TEXT.findall(text), *_LINK_IN_TEXT.findall(text)]


def _withheld_targets(
    site: Site, excluded: Sequence[tuple[_Checked, audience_rules.Reason]]
) -> dict[str, str]:
    """Root-relative path (without the base path) -> why it is withheld, for every place
    this build does not publish: withheld posts and their aliases, and listing pages."""
    targets: dict[str, str] = {}
    for post, reason in excluded:
        why = _why(post, reason)
        targets[f"posts/{post.slug}/"] = why
        for alias in post.aliases:
            targets[alias.removesuffix("index.html")] = why
    published_tags = {listing.tag.slug for listing in site.tags}
    published_authors = {listing.author.slug for listing in site.authors}
    published_series = {series.slug for series in site.series}
    unlisted = "not published to this audience"
    for post, _ in excluded:
        for name in post.tags:
            slug = _slugify(name)
            if slug not in published_tags:
                targets[f"tags/{slug}/"] = unlisted
        if post.author not in published_authors:
            targets[f"authors/{post.author}/"] = unlisted
        if post.series and post.series not in published_series:
            targets[f"series/{post.series}/"] = unlisted
    if any(item.image_paths for item in site.withheld):
        # A file of content/images/ is published where it lies; one beside a post only where
        # a published post shows it, under that post (places.py).
        documents: list[Post | Page] = [*site.posts, *site.pages]
        shown = {
            unquote(urlsplit(html_unescape(url)).path)
            for document in documents
            for url in document.images
        }
        for item in site.withheld:
            for image in item.image_paths:
                if image.startswith("images/") and site.files_path + image not in shown:
                    targets.setdefault(image, "an image only withheld posts show")
    return targets


def _exclusion(
    post: _Checked, audience: SecurityLevel, selection: Selection
) -> audience_rules.Reason | None:
    """Why this build withholds a post, if it does: its level, a draft, or a future date."""
    return audience_rules.exclusion_reason(
        level=post.level,
        draft=post.draft,
        date=post.date,
        audience=audience,
        cutoff=None if selection.future else selection.now,
        include_drafts=selection.drafts,
    )


def _page_why(source: Source, reason: str) -> str:
    """What a link's error says of the page it names: its level, or draft, or future."""
    level = source.meta.get("security")
    return str(level).strip().lower() if reason == "level" and level else reason


def _why(post: _Checked, reason: audience_rules.Reason) -> str:
    """What a link's error says of the post it names: its level, or draft, or future."""
    return post.level.name if reason == "level" else reason


def _host(url: SplitResult | str) -> tuple[str, int | None]:
    """A URL's host as a browser compares it: any case, a trailing dot, the default port;
    ("", -1), no host of this site, for what is no URL (`http://[fe80::1`)."""
    try:
        if isinstance(url, str):
            url = urlsplit(url)
        port = url.port
    except ValueError:
        return "", -1
    scheme = url.scheme.lower() or "https"
    if port == {"http": 80, "https": 443}.get(scheme):
        port = None
    return (url.hostname or "").rstrip("."), port


@functools.lru_cache(maxsize=4)
def _own_host(base_url: str) -> tuple[str, int | None]:
    return _host(base_url)


def _withheld_reason(target: str, site: Site, withheld: Mapping[str, str]) -> str | None:
    """Why `target` (a URL as a page has it) points at something withheld (`withheld`'s
    paths in lower case), else None."""
    try:
        url = urlsplit(html_unescape(target.strip()))
    except ValueError:
        return None  # no URL a browser follows
    own = _own_host(site.info.base_url)
    if (url.scheme or url.netloc) and (
        url.scheme.lower() not in ("http", "https", "") or _host(url) != own
    ):
        return None
    # As a browser reads it: "\\" is "/", "//", "./" and "x/.." lead where "/" would.
    path = unquote(url.path).replace("\\", "/")
    if path:
        trailing = "/" if path.endswith(("/", "/.", "/..")) else ""
        path = posixpath.normpath("/" + path.lstrip("/")) + trailing
        path = path.replace("//", "/")
    if path.startswith(site.info.base_path):
        path = path[len(site.info.base_path) :]
    elif path.startswith(site.files_path):  # a shared file of a bilingual site
        path = path[len(site.files_path) :]
    elif path.startswith("/") and not url.netloc:  # as written in a summary or a bio
        path = path[1:]
    else:
        return None
    path = path.removesuffix("index.html").lower()
    candidates = [path, path + "/"]
    parts = path.split("/")
    candidates.extend("/".join(parts[:count]) + "/" for count in range(1, len(parts)))
    candidates += _named_posts(parts, url.fragment.lower())
    for candidate in candidates:
        if candidate in withheld:
            return withheld[candidate]
    return None


def _named_posts(parts: Sequence[str], fragment: str) -> list[str]:
    """The addresses ("posts/x/") of the posts and pages a path names other than by their
    address: its page by name (`posts/x.html`, `en/about.html`), its source file (`02-x.md`,
    from anywhere), its own folder of files (`media/posts/…/02-x/`)."""
    names = []
    stem, dot, suffix = (parts[-1] if parts else "").rpartition(".")
    if dot and suffix in ("md", "markdown"):
        names.append(_unnumbered(stem))
    if parts[:2] in (["media", "posts"], ["content", "posts"]):
        names += [_unnumbered(part.rpartition(".")[0] or part) for part in parts[2:]]
    found = [f"posts/{name}/" for name in names if name]
    if dot and suffix in ("html", "htm") and stem:
        # A page by its name, as other generators write it: `posts/x.html`, `en/about.html`.
        found.append("/".join([*parts[:-1], stem]) + "/")
    return found


def _unnumbered(name: str) -> str:
    """A file's name without a series part's number: "02-the-lift" -> "the-lift"."""
    return re.sub(r"^[0-9]+[-_ ]+", "", name)


def link_line(source: Source, target: str, base_path: str, nth: int = 0) -> int:
    """The line of a source file where the `nth` link or image to `target` is written (as
    `](target` or a reference `]: target`, else anywhere); the line the body starts on if it
    cannot be told."""
    written = [target, html_unescape(target), unquote(html_unescape(target))]
    if base_path != "/" and target.startswith(base_path):
        written.append("/" + target[len(base_path) :])
    body = source.body
    for form in dict.fromkeys(written):
        quoted = re.escape(form)
        places = [
            match.start()
            for match in re.finditer(
                rf"(?:\]\(\s*<?|^ {{0,3}}\[[^\]]+\]:\s*<?){quoted}(?=[\s)>]|$)", body, re.M
            )
        ]
        if places:
            at = places[min(nth, len(places) - 1)]
            return source.body_line + body.count("\n", 0, at)
    for form in written:
        at = body.find(form)
        if at >= 0:
            return source.body_line + body.count("\n", 0, at)
    return source.body_line


# ---------------------------------------------------------------- data files


def _authors(data: DataFile, config: SiteConfig, errors: list[SiteError]) -> dict[str, Author]:
    """authors.yml's entries; a bilingual site's role, organisation and bio may be given per
    language (`role: {cy: …, en: …}`), and the edition's own is taken."""
    base_path, root_path = config.base_path, config.root_path
    authors = {}
    for slug, entry in data.data.items():
        line = data.key_lines.get(slug)
        if not _is_slug(slug):
            errors.append(
                SiteError(data.path, line, f"author slug '{slug}' must be letters, digits and -")
            )
            continue
        if not isinstance(entry, dict):
            errors.append(
                SiteError(
                    data.path,
                    line,
                    f"author '{slug}' must be a mapping"
                    " (write name:, role: and organisation: under it)",
                )
            )
            continue
        unknown = [
            *schema.key_problems(entry, schema.AUTHOR_KEYS, what="field"),
            *schema.value_problems(entry),
        ]
        for key, message in unknown:
            errors.append(SiteError(data.path, data.line(slug, key), f"author '{slug}': {message}"))
        if unknown:
            continue
        problems: list[str] = []
        said = {
            key: _in_language(entry.get(key), config, f"author '{slug}': {key}", problems)
            for key in ("name", "role", "organisation", "bio")
        }
        errors.extend(SiteError(data.path, line, problem) for problem in problems)
        missing = [k for k in ("name", "role", "organisation") if not said[k]]
        if missing:
            errors.append(SiteError(data.path, line, f"author '{slug}' needs {', '.join(missing)}"))
            continue
        url = entry.get("url")
        if url is not None and not _is_http_url(url):
            errors.append(
                SiteError(data.path, line, f"author '{slug}': url must be an absolute http(s) URL")
            )
            url = None
        avatar = _text(entry.get("avatar")) or None
        if avatar is not None and not _is_http_url(avatar):
            avatar = root_path + avatar.lstrip("/")
        authors[slug] = Author(
            slug=slug,
            name=said["name"],
            role=said["role"],
            organisation=said["organisation"],
            url=url,
            bio=said["bio"],
            avatar=avatar,
            page_url=f"{base_path}authors/{slug}/",
        )
    return authors


def _in_language(
    value: object,
    config: SiteConfig,
    what: str,
    problems: list[str],
) -> str:
    """A data file's text: as written, or, given per language (`{cy: …, en: …}`), the one
    for this site's language, else the default language's."""
    if not isinstance(value, dict):
        return _text(value)
    languages = config.languages or (config.language,)
    given, strange = by_language(value, languages)
    problems.extend(
        f"{what} in '{tag}', which is not one of the site's languages {list(languages)}"
        " (write it in the site's language, or add the language to languages)"
        for tag in strange
    )
    return _text(given.get(config.language, given.get(languages[0])))


def _series_meta(
    data: DataFile, errors: list[SiteError], config: SiteConfig
) -> dict[str, dict[str, Any]]:
    """series.yml's entries; a bilingual site's title and description may be given per
    language (`title: {cy: …, en: …}`), and the edition's own is taken."""
    meta = {}
    for slug, entry in data.data.items():
        line = data.key_lines.get(slug)
        if not _is_slug(slug):
            errors.append(
                SiteError(data.path, line, f"series slug '{slug}' must be letters, digits and -")
            )
            continue
        unknown = (
            [
                *schema.key_problems(entry, schema.SERIES_KEYS, what="field"),
                *schema.value_problems(entry),
            ]
            if isinstance(entry, dict)
            else []
        )
        for key, message in unknown:
            errors.append(SiteError(data.path, data.line(slug, key), f"series '{slug}': {message}"))
        if unknown:
            continue
        if not isinstance(entry, dict):
            errors.append(SiteError(data.path, line, f"series '{slug}' needs a title"))
            continue
        problems: list[str] = []
        localised = {
            key: _in_language(entry.get(key), config, f"series '{slug}': {key}", problems)
            for key in ("title", "description")
        }
        errors.extend(SiteError(data.path, line, problem) for problem in problems)
        if not localised["title"]:
            errors.append(SiteError(data.path, line, f"series '{slug}' needs a title"))
            continue
        planned = entry.get("planned")
        if planned is not None and (
            isinstance(planned, bool)
            or not isinstance(planned, int)
            or not 1 <= planned <= MAX_PARTS
        ):
            errors.append(
                SiteError(
                    data.path,
                    line,
                    f"series '{slug}': planned must be a whole number of parts (1 to {MAX_PARTS})",
                )
            )
            planned = None
        status = entry.get("status", "ongoing")
        if status not in ("ongoing", "complete"):
            errors.append(
                SiteError(
                    data.path,
                    line,
                    f"series '{slug}': status must be ongoing or complete (write status: ongoing)",
                )
            )
            status = "ongoing"
        meta[slug] = {
            "title": localised["title"],
            "description": localised["description"],
            "planned": planned,
            "status": status,
        }
    return meta


# ---------------------------------------------------------------- posts


def _reported_elsewhere(slug: object, *, data: DataFile) -> bool:
    """Whether a post naming `slug` would only repeat an error already reported in `data`.

    An entry that is there but broken (an author without a role), or a file that cannot be
    read at all, has its own error; "unknown author 'ann' (add it …)" on every post would send
    the reader to add what is already there.
    """
    return not data.readable or (isinstance(slug, str) and slug in data.data)


_ONE_LANGUAGE = (
    "translation pairs the twins of a bilingual site (set languages in journeyblog.toml,"
    " or delete the key)"
)


def _check_stray_key(source: Source, errors: list[SiteError]) -> None:
    """A front matter key written below the closing `---` is an error on its line."""
    stray = schema.stray_key(source.body)
    if stray is not None:
        at, key = stray
        errors.append(
            SiteError(
                source.path,
                source.body_line + at,
                f"'{key}:' stands below the front matter's closing --- and would be published"
                " as text (move it above that ---)",
            )
        )


# The most parts a series may have or plan: every part's page lists them all, gaps included.
MAX_PARTS = 1000


def _check_post(
    source: Source,
    config: SiteConfig,
    levels: Sequence[SecurityLevel],
    authors: Mapping[str, Author],
    series_meta: Mapping[str, Any],
    images: set[str],
    errors: list[SiteError],
    *,
    sources: SiteSources,
) -> _Checked | None:
    meta = source.meta
    before = len(errors)

    def fail(key: str, message: str) -> None:
        errors.append(SiteError(source.path, source.line(key) or 1, message))

    for key, message in [
        *schema.key_problems(meta, schema.POST_KEYS),
        *schema.value_problems(meta),
    ]:
        fail(key, message)
    _check_stray_key(source, errors)
    for key, what in _REQUIRED.items():
        if key not in meta or meta[key] is None or meta[key] == "":
            if key in meta:
                fail(key, f"missing '{key}': the key is there but empty (write {what})")
            else:
                fail(key, f"missing '{key}' in the front matter (add {what})")

    title = _text(meta.get("title"))
    if isinstance(meta.get("title"), dict | list):
        fail("title", "title must be text (quote it if it starts with [ or {)")
    date = _datetime(meta["date"], config, fail, "date") if _filled(meta, "date") else None
    updated = (
        _datetime(meta["updated"], config, fail, "updated") if _filled(meta, "updated") else None
    )

    author = meta.get("author")
    # Set when a name is unusable only because its own entry is broken (reported there).
    unresolved = False
    if _filled(meta, "author") and (not isinstance(author, str) or author not in authors):
        unresolved = _reported_elsewhere(author, data=sources.authors)
        if not unresolved:
            fail("author", f"unknown author '{author}' (add it to content/authors.yml)")

    level = _level_of(meta, levels, fail) if _filled(meta, "security") else None

    series = meta.get("series")
    part = meta.get("part")
    if series is not None:
        if not isinstance(series, str) or series not in series_meta:
            if _reported_elsewhere(series, data=sources.series):
                unresolved = True
            else:
                fail("series", f"unknown series '{series}' (add it to content/series.yml)")
        if part is None:
            fail("series", "'part' is required with 'series' (part: 1)")
    if part is not None:
        if isinstance(part, str) and part.strip().isdigit():
            part = int(part)
        if isinstance(part, bool) or not isinstance(part, int) or not 1 <= part <= MAX_PARTS:
            fail("part", f"part must be a whole number from 1 to {MAX_PARTS}, not '{part}'")
        elif series is None:
            fail("part", "'part' without 'series' (add series: <slug>, or remove part)")

    tags = _tags_of(meta.get("tags"), fail)
    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        fail("summary", "summary must be text (write it on one line, or quote it)")

    draft = _draft_of(meta, fail)
    extra = _extra_of(meta, fail)
    if "translation" in meta and not config.bilingual:
        fail("translation", _ONE_LANGUAGE)

    slug = default_slug = _default_slug(
        source.path, part if isinstance(part, int) and series else None, config.languages
    )
    if "slug" in meta:
        slug = _text(meta["slug"])
        if not _is_slug(slug):
            fail(
                "slug",
                f"slug '{slug}' must be one path segment of letters, digits, - and _ "
                "(it may not contain / or ..)",
            )
    if _too_long(slug):
        fail("slug", _too_long_message("slug", slug, "write a shorter slug: or rename the file"))

    post_id = meta.get("id")
    if post_id is not None and (not isinstance(post_id, str) or not post_id.strip()):
        fail("id", "id must be text (write id: tag:example.org,2016-07-29:posts/my-post)")

    canonical = meta.get("canonical")
    if canonical is not None and not _is_http_url(canonical):
        fail("canonical", "canonical must be the absolute http(s) URL of the original")

    image = meta.get("image")
    if image is not None:
        image = _check_image(image, images, fail, beside=_beside(source, sources))

    aliases: list[str] = []
    raw_aliases = meta.get("aliases", [])
    if isinstance(raw_aliases, str):
        raw_aliases = [raw_aliases]
    if not isinstance(raw_aliases, list):
        fail("aliases", "aliases must be a list of old paths (write aliases: [/old/address/])")
        raw_aliases = []
    for index, alias in enumerate(raw_aliases):
        path = _safe_relative(alias)
        if path is not None and any(_too_long(name) for name in path.split("/")):
            errors.append(
                SiteError(
                    source.path,
                    source.line(f"aliases.{index}") or source.line("aliases") or 1,
                    _too_long_message("alias", str(alias), "shorten it"),
                )
            )
        elif path is None:
            errors.append(
                SiteError(
                    source.path,
                    source.line(f"aliases.{index}") or source.line("aliases") or 1,
                    f"alias '{alias}' would be written outside the output folder"
                    " (use a path like /old/post/)",
                )
            )
        else:
            aliases.append(path)

    if (
        unresolved
        or len(errors) > before
        or date is None
        or level is None
        or not isinstance(author, str)
    ):
        return None
    if slug != default_slug:
        # The address the file name gives keeps working when an author sets `slug:` later.
        aliases.append(f"posts/{default_slug}/index.html")
    # Without an `id`, the id comes from the file name, not `slug:`, so it survives a new slug.
    host = urlsplit(config.base_url).hostname or "localhost"
    default_id = f"tag:{host},{date:%Y-%m-%d}:{config.language_path}posts/{default_slug}"
    return _Checked(
        source=source,
        id=post_id.strip() if isinstance(post_id, str) else default_id,
        slug=slug,
        title=title,
        date=date,
        updated=max(updated, date) if updated else date,
        author=author,
        level=level,
        series=series,
        part=part if series else None,
        tags=tags,
        summary=summary.strip() if isinstance(summary, str) and summary.strip() else None,
        draft=draft,
        canonical=canonical,
        image=image,
        image_alt=_text(meta.get("image_alt")) or title,
        aliases=tuple(aliases),
        extra=extra,
    )


# What a post must say, and how to say it.
_REQUIRED = {
    "title": "title: The post's title",
    "date": "date: 2016-07-29",
    "author": "author: <a slug from content/authors.yml>",
    "security": "security: public, or a higher level",
}


def _filled(meta: Mapping[str, Any], key: str) -> bool:
    return meta.get(key) not in (None, "")


def _level_of(
    meta: Mapping[str, Any], levels: Sequence[SecurityLevel], fail: Callable[[str, str], None]
) -> SecurityLevel | None:
    """The one level `security:` names: a list, a number or a yes is an error, never a guess."""
    value = meta.get("security")
    known = ", ".join(item.name for item in levels)
    if value is None:
        fail("security", f"security is empty (write one of: {known})")
        return None
    if not isinstance(value, str):
        kind = "a list" if isinstance(value, list) else type(value).__name__
        if isinstance(value, bool | int | float):
            kind = f"'{str(value).lower()}'"
        fail("security", f"security must be one level name, not {kind} (use one of: {known})")
        return None
    level = audience_rules.parse_level(value, levels)
    if level is None:
        fail("security", f"unknown security level '{value}' (use one of: {known})")
    return level


def _draft_of(meta: Mapping[str, Any], fail: Callable[[str, str], None]) -> bool:
    """`draft:` as YAML's true or false; anything else is an error (and held back meanwhile)."""
    if "draft" not in meta:
        return False
    value = meta["draft"]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
        fail("draft", f"draft must be true or false without quotes ('{value}' in quotes is text)")
    elif value is None:
        fail("draft", "draft is empty (write draft: true or draft: false)")
    else:
        fail(
            "draft",
            f"draft must be true or false, not '{value}' (write draft: true or draft: false)",
        )
    return True


def _extra_of(meta: Mapping[str, Any], fail: Callable[[str, str], None]) -> Extra:
    """`extra:`, the theme's own data, frozen: the build never interprets it."""
    value = meta.get("extra")
    if value is None:
        return _NO_EXTRA
    if not isinstance(value, dict):
        fail("extra", "extra must be a mapping of your own keys (extra:, then indented key: value)")
        return _NO_EXTRA
    return Extra({str(key): _frozen(item) for key, item in value.items()})


_NO_EXTRA = Extra()


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return Extra({str(key): _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _check_unique(posts: Sequence[_Checked], errors: list[SiteError]) -> None:
    for what in ("slug", "id"):
        values = [post.slug for post in posts] if what == "slug" else [post.id for post in posts]
        if len(set(values)) == len(values):
            continue  # no two alike
        seen: dict[str, _Checked] = {}
        for post in posts:
            value = post.slug if what == "slug" else post.id
            if value in seen:
                first = seen[value]
                for one, other in ((first, post), (post, first)):
                    errors.append(
                        SiteError(
                            one.source.path,
                            one.source.line(what) or 1,
                            f"{what} '{value}' is also used by {other.source.path}"
                            f" (each post needs its own {what})",
                        )
                    )
            else:
                seen[value] = post
    claims = [(p.series, p.part, str(i)) for i, p in enumerate(posts) if p.series and p.part]
    for series, part, who in series_rules.duplicate_parts(claims):
        files = [posts[int(i)] for i in who]
        for post in files:
            others = ", ".join(str(o.source.path) for o in files if o is not post)
            errors.append(
                SiteError(
                    post.source.path,
                    post.source.line("part"),
                    f"part {part} of series '{series}' is also {others} (number each part once)",
                )
            )


def _withheld(
    post: _Checked, reason: audience_rules.Reason, html: str, image_files: Mapping[str, str]
) -> Withheld:
    """What the audit looks for of a post this build withholds. `html`: its rendered body;
    `image_files`: the files of content/images/ (`_image_files`)."""
    canaries = [("id", post.id), ("slug", post.slug), ("title", post.title)]
    if post.summary:
        canaries.append(("summary", post.summary))
    lead = post.source.meta.get("image")
    referenced = _images_named(
        [post.source.body, lead if isinstance(lead, str) else ""], image_files
    )
    if post.image and post.image.startswith("images/"):
        referenced = tuple(sorted({*referenced, post.image}))
    return Withheld(
        source=post.source.path,
        reason=reason,
        canaries=tuple(canaries),
        texts=(html, escape(post.title), escape(post.summary or "")),
        image_paths=referenced,
        due=post.date if reason == "future" else None,
    )


def _image_files(sources: SiteSources) -> dict[str, str]:
    """The files of content/images/ by their path in lower case: "images/plan.png" -> its own."""
    return {
        name.lower(): name
        for name in ("images/" + PurePosixPath(*path.parts).as_posix() for path in sources.images)
    }


def _images_named(texts: Sequence[str], image_files: Mapping[str, str]) -> tuple[str, ...]:
    """The paths under content/images/ that some Markdown names ("images/plan.png"), as a
    text withheld from this build names them: each the file it may mean however written (a
    URL of the site, another case, "x/../"), so that the file is withheld with the text."""
    found: set[str] = set()
    for text in texts:
        if "images/" in text.lower():  # most bodies have no image: skip the pattern's scan
            for name in re.findall(r"(?i)images/[^\s)\"'<>]+", text):
                plain = posixpath.normpath(unquote(name.split("#")[0].split("?")[0]))
                found.add(image_files.get(plain.lower(), name))
    return tuple(sorted(found))


def _posts(
    checked: Sequence[_Checked],
    rendered: Sequence[Rendered],
    config: SiteConfig,
    authors: Mapping[str, Author],
    series_meta: Mapping[str, Any],
    withheld_parts: Mapping[str, Sequence[int]],
    kept: Kept,
) -> tuple[list[Post], list[PostLink]]:
    """Each post, and what a series' other parts show of it."""
    base_path = config.base_path
    links = []
    for post, body in zip(checked, rendered, strict=True):
        link_of = functools.partial(_link, post, body, base_path)
        links.append(kept.made(("link", id(post.source)), (post, body, config), link_of))

    by_series: dict[str, dict[int, PostLink]] = {}
    for post, link in zip(checked, links, strict=True):
        if post.series and post.part:
            by_series.setdefault(post.series, {})[post.part] = link
    places: dict[tuple[str, int], SeriesPosition] = {}
    for slug, parts in by_series.items():
        meta = series_meta[slug]
        withheld = tuple(withheld_parts.get(slug, ()))

        def positions(
            slug: str = slug,
            parts: dict[int, PostLink] = parts,
            meta: Any = meta,
            withheld: tuple[int, ...] = withheld,
        ) -> dict[int, SeriesPosition]:
            return series_rules.positions(
                parts,
                series_slug=slug,
                series_title=meta["title"],
                series_url=f"{base_path}series/{slug}/",
                planned=meta["planned"],
                withheld=withheld,
            )

        made_from = (*(one for part in parts.items() for one in part), meta, *withheld, config)
        places.update(
            ((slug, number), position)
            for number, position in kept.made(("positions", slug), made_from, positions).items()
        )

    # One Tag a name: a site has a few hundred tags and tens of thousands of uses of them.
    tags: dict[str, Tag] = {}
    posts = []
    for post, body, link in zip(checked, rendered, links, strict=True):
        place = places.get((post.series, post.part)) if post.series and post.part else None
        author = authors[post.author]

        made = functools.partial(_post, post, body, link, place, author, config, tags)
        posts.append(
            kept.made(("post", id(post.source)), (post, body, link, place, author, config), made)
        )
    return posts, links


def _link(post: _Checked, body: Rendered, base_path: str) -> PostLink:
    """What a series' other parts show of this one."""
    return PostLink(
        title=post.title,
        url=f"{base_path}posts/{post.slug}/",
        summary=post.summary or _truncate(body.first_paragraph),
        part=post.part,
    )


def _post(
    post: _Checked,
    body: Rendered,
    link: PostLink,
    place: SeriesPosition | None,
    author: Author,
    config: SiteConfig,
    tags: dict[str, Tag],
) -> Post:
    """The Post, before its relative links are resolved; `tags`: one Tag a name, shared."""
    base_path = config.base_path
    permalink = config.pages_url + f"posts/{post.slug}/"
    image = None
    if post.image:
        image = post.image if _is_http_url(post.image) else config.root_path + post.image
    return Post(
        id=post.id,
        slug=post.slug,
        title=post.title,
        date=post.date,
        updated=post.updated,
        author=author,
        level=post.level,
        body=body.body,
        links=body.links,
        images=body.images,
        draft=post.draft,
        summary=link.summary,
        series=place,
        tags=tuple(
            tags.get(name) or tags.setdefault(name, _tag(name, base_path)) for name in post.tags
        ),
        url=link.url,
        permalink=permalink,
        canonical=post.canonical or permalink,
        image=image,
        image_alt=post.image_alt,
        aliases=post.aliases,
        extra=post.extra,
        source=post.source.path,
    )


# ---------------------------------------------------------------- pages


def _check_page(
    source: Source,
    levels: Sequence[SecurityLevel],
    audience: SecurityLevel,
    selection: Selection,
    errors: list[SiteError],
    languages: Sequence[str] = (),
) -> tuple[Source, str, audience_rules.Reason | None] | None:
    """(source, slug, why it is withheld or None) of a valid page; None if it is not valid.
    Pages are public unless they say otherwise."""
    meta = source.meta
    before = len(errors)

    def fail(key: str, message: str) -> None:
        errors.append(SiteError(source.path, source.line(key) or 1, message))

    for key, message in [
        *schema.key_problems(meta, schema.PAGE_KEYS),
        *schema.value_problems(meta),
    ]:
        fail(key, message)
    _check_stray_key(source, errors)
    if not _text(meta.get("title")):
        fail("title", "missing 'title' in the front matter (add title: The page's title)")
    slug = _text(meta.get("slug")) or _slugify(language_of(source.path.name, languages)[0])
    folders = {language_folder(language, languages) for language in languages}
    if not _is_slug(slug) or slug in RESERVED or slug.lower() in folders:
        fail("slug", f"page slug '{slug}' is not a free, single path segment (choose another)")
    elif _too_long(slug):
        fail(
            "slug", _too_long_message("page slug", slug, "write a shorter slug: or rename the file")
        )
    if "translation" in meta and len(languages) < 2:
        fail("translation", _ONE_LANGUAGE)
    level = levels[0]
    if "security" in meta:
        found = _level_of(meta, levels, fail)
        level = found if found is not None else levels[-1]
    draft = _draft_of(meta, fail)
    _extra_of(meta, fail)
    if len(errors) > before:
        return None
    if level.rank > audience.rank:
        return source, slug, "level"
    if draft and not selection.drafts:
        return source, slug, "draft"
    return source, slug, None


def _pages(
    pages: Sequence[tuple[Source, str]],
    rendered: Sequence[Rendered],
    config: SiteConfig,
    errors: list[SiteError],
) -> list[Page]:
    result = []
    seen: dict[str, Path] = {}
    for (source, slug), body in zip(pages, rendered, strict=True):
        if slug in seen:
            errors.append(
                SiteError(
                    source.path,
                    source.line("slug") or 1,
                    f"page slug '{slug}' is also used by {seen[slug]}",
                )
            )
            continue
        seen[slug] = source.path
        summary = source.meta.get("summary")
        result.append(
            Page(
                extra=_extra_of(source.meta, lambda key, message: None),
                slug=slug,
                title=_text(source.meta["title"]),
                summary=summary if isinstance(summary, str) else _truncate(body.first_paragraph),
                body=body.body,
                links=body.links,
                images=body.images,
                draft=source.meta.get("draft") is True,
                url=f"{config.base_path}{slug}/",
                permalink=f"{config.pages_url}{slug}/",
                source=source.path,
            )
        )
    return sorted(result, key=lambda page: page.title.lower())


def _check_aliases(
    posts: Sequence[Post], pages: Sequence[Page], sources: SiteSources, errors: list[SiteError]
) -> None:
    taken = {f"posts/{post.slug}/index.html" for post in posts}
    taken |= {f"{page.slug}/index.html" for page in pages}
    by_path = {source.path: source for source in sources.posts}
    for post in posts:
        for alias in post.aliases:
            if alias in taken or alias.split("/", 1)[0] in ("images", "assets"):
                line = _alias_line(by_path[post.source], alias)
                errors.append(
                    SiteError(post.source, line, f"alias '{alias}' is the path of another page")
                )
            taken.add(alias)


def _alias_line(source: Source, alias: str) -> int:
    """The line that writes `alias` (an output path); `slug:`'s for the alias a slug adds."""
    written = source.meta.get("aliases", [])
    for index, raw in enumerate([written] if isinstance(written, str) else written):
        if _safe_relative(raw) == alias:
            return source.line(f"aliases.{index}") or source.line("aliases") or 1
    return source.line("slug") or 1


# ---------------------------------------------------------------- listings


def _series(
    posts: Sequence[Post], meta: Mapping[str, Any], base_path: str, kept: Kept
) -> tuple[Series, ...]:
    parts: dict[str, list[Post]] = {}
    for post in posts:
        if post.series:
            parts.setdefault(post.series.series_slug, []).append(post)
    result = []
    for slug, members in parts.items():
        members.sort(key=lambda p: p.series.part if p.series else 0)
        about = meta[slug]

        def series(
            slug: str = slug, members: tuple[Post, ...] = tuple(members), about: Any = about
        ) -> Series:
            return Series(
                slug=slug,
                title=about["title"],
                description=about["description"],
                planned=about["planned"],
                status=about["status"],
                url=f"{base_path}series/{slug}/",
                feed_url=f"{base_path}series/{slug}/feed.xml",
                parts=members,
                total=members[0].series.total if members[0].series else len(members),
            )

        made_from = (*members, about, base_path)
        result.append(kept.made(("series", slug), made_from, series))
    return tuple(sorted(result, key=lambda s: s.title.lower()))


def _tags(newest_first: Sequence[Post]) -> tuple[TagListing, ...]:
    grouped: dict[str, list[Post]] = {}
    names: dict[str, Tag] = {}
    for post in newest_first:
        for tag in post.tags:
            names.setdefault(tag.slug, tag)
            grouped.setdefault(tag.slug, []).append(post)
    return tuple(
        TagListing(tag=names[slug], posts=tuple(members), feed_url=f"{names[slug].url}feed.xml")
        for slug, members in sorted(grouped.items(), key=lambda item: names[item[0]].name.lower())
    )


def _author_listings(newest_first: Sequence[Post]) -> tuple[AuthorListing, ...]:
    grouped: dict[str, list[Post]] = {}
    authors: dict[str, Author] = {}
    for post in newest_first:
        authors[post.author.slug] = post.author
        grouped.setdefault(post.author.slug, []).append(post)
    return tuple(
        AuthorListing(
            author=authors[slug], posts=tuple(members), feed_url=f"{authors[slug].page_url}feed.xml"
        )
        for slug, members in sorted(grouped.items(), key=lambda item: authors[item[0]].name.lower())
    )


def _tag(name: str, base_path: str) -> Tag:
    slug = _slugify(name)
    return Tag(name=name, slug=slug, url=f"{base_path}tags/{slug}/")


# ---------------------------------------------------------------- values


def _datetime(
    value: object, config: SiteConfig, fail: Callable[[str, str], None], key: str
) -> datetime | None:
    """ISO 8601 date or date-time; naive ones are in the site timezone (authors write local
    dates)."""
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date_type):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        fail(key, f"{key} '{value}' is not a date (write it as 2016-07-29 or 2016-07-29T09:30)")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=config.timezone)
    try:
        # A date written with its own offset is shown as the site's readers' clocks read
        # it; UTC too, which every feed and comparison needs (year 1 or 9999 may not have one).
        parsed.astimezone(UTC)
        return parsed.astimezone(config.timezone)
    except OverflowError:
        fail(key, f"{key} '{value}' is out of range (write a date between the years 2 and 9998)")
        return None


def _tags_of(value: object, fail: Callable[[str, str], None]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(t, str | int | float) for t in value):
        fail("tags", "tags must be a list of names (write tags: [cloud, procurement])")
        return ()
    tags: list[str] = []
    seen: set[str] = set()
    for raw in value:
        name = " ".join(str(raw).split())
        slug = _slugify(name)
        if not slug:
            if name:
                fail("tags", f"tag '{name}' has no letters or digits")
            continue
        if _too_long(slug):
            fail("tags", _too_long_message("tag", name, "shorten it"))
            continue
        if slug not in seen:
            seen.add(slug)
            tags.append(name)
    return tuple(tags)


def _check_image(
    value: object,
    images: set[str],
    fail: Callable[[str, str], None],
    *,
    beside: Callable[[str], str | None] = lambda written: None,
) -> str | None:
    """A lead image: an absolute URL, a path to a file under content/images/ or static/, or
    a path from the post's file (`cover.jpg` in its own folder; the file relative to content/).
    """
    if not isinstance(value, str) or not value.strip():
        fail("image", "image must be the path of a picture (write image: /images/photo.png)")
        return None
    if _is_http_url(value):
        return value
    if not value.startswith("/"):
        found = beside(value.strip())
        if found is not None:
            return found
    path = _safe_relative(value)
    if path is None:
        fail("image", f"image '{value}' would be read from outside the site (use /images/<file>)")
        return None
    if path not in images:
        fail(
            "image",
            f"image '{value}' not found (write its path from this file, or put it in"
            " content/images/ and write /images/<file>)",
        )
        return None
    return path


def _beside(source: Source, sources: SiteSources) -> Callable[[str], str | None]:
    """The file a path written in `source` names, relative to content/, if the site has it."""

    def find(written: str) -> str | None:
        content = normalised(sources.site_dir / "content")
        path = posixpath.normpath(
            posixpath.join(posixpath.dirname(normalised(source.path)), written)
        )
        if not path.startswith(content + "/"):
            return None
        relative = path[len(content) + 1 :]
        if relative.startswith("images/"):
            inside = PurePosixPath(relative).relative_to("images")
            return relative if Path(*inside.parts) in set(sources.images) else None
        return relative if Path(relative) in set(sources.files) else None

    return find


def _safe_relative(value: object) -> str | None:
    """A "/"-separated path inside the output folder, or None if it would leave it.

    "/old/post/" -> "old/post/index.html"; "old.html" -> "old.html"; "../x" -> None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\\", "/")
    if not text or "\0" in text or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return None
    parts = [part for part in text.split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        return None
    path = "/".join(parts)
    if text.endswith("/") or "." not in parts[-1]:
        path += "/index.html"
    return path


def index_names(config: SiteConfig) -> tuple[str, ...]:
    """The names of a post's own folder's file in this language: "index.md" (and in a
    bilingual site "index.cy.md" for the default language, "index.en.md" for English)."""
    if not config.bilingual:
        return ("index.md",)
    own = language_folder(config.language, config.languages)
    default = config.language == config.languages[0]
    return (*(("index.md",) if default else ()), f"index.{own}.md")


def language_of(name: str, languages: Sequence[str]) -> tuple[str, str | None]:
    """A source file's name without `.md` and its language: "03-identity.en.md" ->
    ("03-identity", "en") when "en" is one of `languages`; ("03-identity", None) for a file
    without a language (the default language's)."""
    stem = name.removesuffix(".md")
    base, dot, tag = stem.rpartition(".")
    if dot and languages:
        for language in languages:
            if names_language(tag, language, languages):
                return base, language
    return stem, None


def _default_slug(path: Path, part: int | None, languages: Sequence[str] = ()) -> str:
    """The file name; for a series part, without its part number: "03-identity.md" ->
    "identity"; in a bilingual site, without its language ("03-identity.en.md")."""
    stem, _ = language_of(path.name, languages)
    # A post in a folder of its own (03-identity/index.md, its pictures beside it) is named
    # by the folder.
    if stem == "index":
        stem = path.parent.name
    if part is not None:
        match = re.fullmatch(rf"0*{part}[-_ ](.+)", stem)
        if match:
            stem = match.group(1)
    return _slugify(stem)


@functools.lru_cache(maxsize=65536)  # every post's tags are slugified: most are repeats
def _slugify(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_")


# The longest name (in UTF-8 bytes) a slug, tag or alias may give a file or folder of the
# output: file systems allow 255, and the build adds suffixes (".png", ".480w.webp", ".br").
MAX_NAME = 200


def _too_long(name: str) -> bool:
    return len(name.encode("utf-8", "surrogatepass")) > MAX_NAME


def _too_long_message(what: str, value: str, remedy: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return f"{what} '{shown}' is too long for a file name (at most {MAX_NAME} bytes: {remedy})"


def _is_slug(value: str) -> bool:
    return bool(re.fullmatch(r"\w[\w.-]*", value)) and ".." not in value


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _text(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _truncate(text: str, limit: int = SUMMARY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
