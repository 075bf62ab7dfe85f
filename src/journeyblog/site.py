"""Parsed sources -> the Site a reader of one audience may see.

Owns validation of front matter and data files, the choice of what is published (through
`audience.exclusion_reason`, once, for every channel), and the construction of every model
value: the only place a Post is made. Series order, tags and authors are resolved here once.
No I/O: Markdown rendering is passed in, so callers can cache or parallelise it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from journeyblog import audience as audience_rules
from journeyblog import series as series_rules
from journeyblog.config import SiteConfig
from journeyblog.errors import SiteError
from journeyblog.markdown import plain_text, render_markdown
from journeyblog.model import (
    Author,
    AuthorListing,
    Page,
    Post,
    PostLink,
    SecurityLevel,
    Series,
    Site,
    SiteInfo,
    Tag,
    TagListing,
    Withheld,
)
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
# Each withheld post's body -> its most distinctive sentences, as plain text (`body_sentences`);
# a build passes one that remembers them between builds.
FindSentences = Callable[[Sequence[str]], list[tuple[str, ...]]]


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


def assemble(
    config: SiteConfig,
    sources: SiteSources,
    *,
    selection: Selection,
    render_bodies: RenderBodies | None = None,
    find_sentences: FindSentences | None = None,
) -> tuple[Site, list[SiteError]]:
    """Turn parsed sources into the site a reader of the selected audience may see."""
    errors: list[SiteError] = []
    levels = audience_rules.security_levels(config.security_levels)
    audience = audience_rules.parse_level(selection.audience or config.audience, levels)
    if audience is None:
        # The CLI checks --audience first; this keeps the function total.
        raise ValueError(f"unknown audience {selection.audience!r}")
    base_path = config.base_path
    render = render_bodies or _renderer(base_path, config.allow_raw_html)

    authors = _authors(sources.authors, base_path, errors)
    series_meta = _series_meta(sources.series, errors)
    images = {f"images/{PurePosixPath(*p.parts)}" for p in sources.images}
    images |= {str(PurePosixPath(*p.parts)) for p in sources.static}

    checked: list[_Checked] = []
    for source in sources.posts:
        post = _check_post(
            source, config, levels, authors, series_meta, images, errors, sources=sources
        )
        if post is not None:
            checked.append(post)
    _check_unique(checked, errors)

    published: list[_Checked] = []
    excluded: list[tuple[_Checked, audience_rules.Reason]] = []
    # Part numbers of withheld posts, only to show "not published" in placeholder mode.
    withheld_parts: dict[str, list[int]] = {}
    cutoff = None if selection.future else selection.now
    for post in checked:
        reason = audience_rules.exclusion_reason(
            level=post.level,
            draft=post.draft,
            date=post.date,
            audience=audience,
            cutoff=cutoff,
            include_drafts=selection.drafts,
        )
        if reason is None:
            published.append(post)
        else:
            excluded.append((post, reason))
            if config.excluded_parts == "placeholder" and post.series and post.part:
                withheld_parts.setdefault(post.series, []).append(post.part)

    distinctive = (find_sentences or find_body_sentences)(
        [post.source.body for post, _ in excluded]
    )
    withheld = [
        _withheld(post, reason, found)
        for (post, reason), found in zip(excluded, distinctive, strict=True)
    ]

    bodies = []
    for post in published:
        body, problems, removed = audience_rules.strip_level_blocks(
            post.source.body, audience=audience, levels=levels
        )
        for line, message in problems:
            errors.append(SiteError(post.source.path, post.source.body_line + line - 1, message))
        if removed:
            sentences = tuple(("sentence", text) for text in _sentences(removed))
            withheld.append(
                Withheld(
                    source=post.source.path, reason="level", canaries=sentences, whole_post=False
                )
            )
        bodies.append(body)

    page_sources = [
        p for p in (_check_page(s, levels, audience, selection, errors) for s in sources.pages) if p
    ]
    rendered = render([*bodies, *(source.body for source, _ in page_sources)])
    post_rendered = rendered[: len(published)]
    page_rendered = rendered[len(published) :]

    pages = _pages(page_sources, page_rendered, config, errors)
    posts = _posts(published, post_rendered, config, authors, series_meta, withheld_parts)
    _check_aliases(posts, pages, errors)

    info = SiteInfo(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.base_url,
        base_path=base_path,
        audience=audience,
        posts_per_page=config.posts_per_page,
        feed_url=base_path + "feed.xml",
        rss_url=base_path + "rss.xml",
        json_feed_url=base_path + "feed.json",
    )
    site = Site(
        info=info,
        posts=tuple(sorted(posts, key=lambda p: (p.date, p.slug), reverse=True)),
        pages=tuple(pages),
        series=_series(posts, series_meta, base_path),
        tags=_tags(posts, base_path),
        authors=_author_listings(posts, base_path),
        withheld=tuple(withheld),
        built_at=selection.now,
    )
    return site, errors


def _renderer(base_path: str, allow_raw_html: bool) -> RenderBodies:
    def render(texts: Sequence[str]) -> list[Rendered]:
        return [
            render_markdown(t, base_path=base_path, allow_raw_html=allow_raw_html) for t in texts
        ]

    return render


# ---------------------------------------------------------------- data files


def _authors(data: DataFile, base_path: str, errors: list[SiteError]) -> dict[str, Author]:
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
                    data.path, line, f"author '{slug}' must be a mapping: name, role, organisation"
                )
            )
            continue
        missing = [k for k in ("name", "role", "organisation") if not _text(entry.get(k))]
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
            avatar = base_path + avatar.lstrip("/")
        authors[slug] = Author(
            slug=slug,
            name=_text(entry["name"]),
            role=_text(entry["role"]),
            organisation=_text(entry["organisation"]),
            url=url,
            bio=_text(entry.get("bio")),
            avatar=avatar,
            page_url=f"{base_path}authors/{slug}/",
        )
    return authors


def _series_meta(data: DataFile, errors: list[SiteError]) -> dict[str, dict[str, Any]]:
    meta = {}
    for slug, entry in data.data.items():
        line = data.key_lines.get(slug)
        if not _is_slug(slug):
            errors.append(
                SiteError(data.path, line, f"series slug '{slug}' must be letters, digits and -")
            )
            continue
        if not isinstance(entry, dict) or not _text(entry.get("title")):
            errors.append(SiteError(data.path, line, f"series '{slug}' needs a title"))
            continue
        planned = entry.get("planned")
        if planned is not None and (
            isinstance(planned, bool) or not isinstance(planned, int) or planned < 1
        ):
            errors.append(
                SiteError(
                    data.path, line, f"series '{slug}': planned must be a whole number of parts"
                )
            )
            planned = None
        status = entry.get("status", "ongoing")
        if status not in ("ongoing", "complete"):
            errors.append(
                SiteError(data.path, line, f"series '{slug}': status must be ongoing or complete")
            )
            status = "ongoing"
        meta[slug] = {
            "title": _text(entry["title"]),
            "description": _text(entry.get("description")),
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

    for key in ("title", "date", "author", "security"):
        if key not in meta or meta[key] is None or meta[key] == "":
            errors.append(SiteError(source.path, 1, f"missing '{key}' in the front matter"))

    title = _text(meta.get("title"))
    date = _datetime(meta.get("date"), config, fail, "date") if "date" in meta else None
    updated = (
        _datetime(meta.get("updated"), config, fail, "updated") if meta.get("updated") else None
    )

    author = meta.get("author")
    # Set when a name is unusable only because its own entry is broken (reported there).
    unresolved = False
    if author is not None and (not isinstance(author, str) or author not in authors):
        unresolved = _reported_elsewhere(author, data=sources.authors)
        if not unresolved:
            fail("author", f"unknown author '{author}' (add it to content/authors.yml)")

    level = None
    if meta.get("security") not in (None, ""):
        level = audience_rules.parse_level(meta["security"], levels)
        if level is None:
            known = ", ".join(item.name for item in levels)
            fail("security", f"unknown security level '{meta['security']}' (use one of: {known})")

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
        if isinstance(part, bool) or not isinstance(part, int) or part < 1:
            fail("part", f"part must be a whole number of 1 or more, not '{part}'")
        elif series is None:
            fail("part", "'part' without 'series' (add series: <slug>, or remove part)")

    tags = _tags_of(meta.get("tags"), fail)
    summary = meta.get("summary")
    if summary is not None and not isinstance(summary, str):
        fail("summary", "summary must be text")

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", "draft must be true or false")

    slug = default_slug = _default_slug(
        source.path, part if isinstance(part, int) and series else None
    )
    if "slug" in meta:
        slug = _text(meta["slug"])
        if not _is_slug(slug):
            fail(
                "slug",
                f"slug '{slug}' must be one path segment of letters, digits, - and _ "
                "(it may not contain / or ..)",
            )

    post_id = meta.get("id")
    if post_id is not None and (not isinstance(post_id, str) or not post_id.strip()):
        fail("id", "id must be text, e.g. tag:example.org,2016-07-29:posts/my-post")

    canonical = meta.get("canonical")
    if canonical is not None and not _is_http_url(canonical):
        fail("canonical", "canonical must be the absolute http(s) URL of the original")

    image = meta.get("image")
    if image is not None:
        image = _check_image(image, images, fail)

    aliases: list[str] = []
    raw_aliases = meta.get("aliases", [])
    if isinstance(raw_aliases, str):
        raw_aliases = [raw_aliases]
    if not isinstance(raw_aliases, list):
        fail("aliases", "aliases must be a list of old paths")
        raw_aliases = []
    for alias in raw_aliases:
        path = _safe_relative(alias)
        if path is None:
            fail(
                "aliases",
                f"alias '{alias}' would be written outside the output folder"
                " (use a path like /old/post/)",
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
    default_id = f"tag:{host},{date:%Y-%m-%d}:posts/{default_slug}"
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
    )


def _check_unique(posts: Sequence[_Checked], errors: list[SiteError]) -> None:
    for what in ("slug", "id"):
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


def _withheld(post: _Checked, reason: audience_rules.Reason, sentences: Sequence[str]) -> Withheld:
    canaries = [("id", post.id), ("slug", post.slug), ("title", post.title)]
    if post.summary:
        canaries.append(("summary", post.summary))
    canaries.extend(("sentence", text) for text in sentences)
    body = post.source.body
    referenced: tuple[str, ...] = ()
    if "images/" in body:  # most bodies have no image: skip the pattern's scan of them
        referenced = tuple(sorted(set(re.findall(r"/?(images/[^\s)\"'<>]+)", body))))
    if post.image and post.image.startswith("images/"):
        referenced = (*referenced, post.image)
    return Withheld(
        source=post.source.path,
        reason=reason,
        canaries=tuple(canaries),
        image_paths=referenced,
        due=post.date if reason == "future" else None,
    )


def body_sentences(body: str) -> tuple[str, ...]:
    """The sentences of a withheld post's body that the audit looks for in every output."""
    return _sentences([body])


def find_body_sentences(bodies: Sequence[str]) -> list[tuple[str, ...]]:
    """body_sentences of each body: the FindSentences that remembers nothing."""
    return [body_sentences(body) for body in bodies]


def _sentences(texts: Sequence[str], most: int = 3, shortest: int = 40) -> tuple[str, ...]:
    """The longest plain sentences of some Markdown: the distinctive ones."""
    candidates = [
        sentence
        for text in texts
        for line in text.splitlines()
        if len(line) >= shortest
        and not line.lstrip().startswith(("#", "|", "```", "<!--", "    ", "!", "["))
        for sentence in _SENTENCE_END.split(line)
        if len(sentence) >= shortest
    ]
    # Longest first: plain text is never longer than its Markdown, so once `most` plain
    # sentences are at least as long as the next candidate, no later one can displace them.
    candidates.sort(key=len, reverse=True)
    found: list[str] = []
    for candidate in candidates:
        if len(found) >= most and len(found[most - 1]) >= len(candidate):
            break
        plain = plain_text(candidate).strip()
        if len(plain) >= shortest:
            found.append(plain)
            found.sort(key=len, reverse=True)
    return tuple(found[:most])


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _posts(
    checked: Sequence[_Checked],
    rendered: Sequence[Rendered],
    config: SiteConfig,
    authors: Mapping[str, Author],
    series_meta: Mapping[str, Any],
    withheld_parts: Mapping[str, Sequence[int]],
) -> list[Post]:
    base_path = config.base_path
    links = {}
    for post, body in zip(checked, rendered, strict=True):
        links[post.source.path] = PostLink(
            title=post.title,
            url=f"{base_path}posts/{post.slug}/",
            summary=post.summary or _truncate(body.first_paragraph),
            part=post.part,
        )

    by_series: dict[str, dict[int, PostLink]] = {}
    for post in checked:
        if post.series and post.part:
            by_series.setdefault(post.series, {})[post.part] = links[post.source.path]
    places = {}
    for slug, parts in by_series.items():
        meta = series_meta[slug]
        for number, position in series_rules.positions(
            parts,
            series_slug=slug,
            series_title=meta["title"],
            series_url=f"{base_path}series/{slug}/",
            planned=meta["planned"],
            withheld=withheld_parts.get(slug, ()),
        ).items():
            places[(slug, number)] = position

    # One Tag a name: a site has a few hundred tags and tens of thousands of uses of them.
    tags: dict[str, Tag] = {}
    posts = []
    for post, body in zip(checked, rendered, strict=True):
        link = links[post.source.path]
        permalink = config.base_url + f"posts/{post.slug}/"
        image = None
        if post.image:
            image = post.image if _is_http_url(post.image) else base_path + post.image
        posts.append(
            Post(
                id=post.id,
                slug=post.slug,
                title=post.title,
                date=post.date,
                updated=post.updated,
                author=authors[post.author],
                level=post.level,
                body=body.body,
                summary=link.summary,
                words=body.words,
                series=places.get((post.series, post.part)) if post.series and post.part else None,
                tags=tuple(
                    tags.get(name) or tags.setdefault(name, _tag(name, base_path))
                    for name in post.tags
                ),
                url=link.url,
                permalink=permalink,
                canonical=post.canonical or permalink,
                image=image,
                image_alt=post.image_alt,
                aliases=post.aliases,
                source=post.source.path,
            )
        )
    return posts


# ---------------------------------------------------------------- pages


def _check_page(
    source: Source,
    levels: Sequence[SecurityLevel],
    audience: SecurityLevel,
    selection: Selection,
    errors: list[SiteError],
) -> tuple[Source, str] | None:
    """A page's slug if it is valid and published. Pages are public unless they say otherwise."""
    meta = source.meta
    if not _text(meta.get("title")):
        errors.append(
            SiteError(source.path, source.line("title") or 1, "missing 'title' in the front matter")
        )
        return None
    slug = _text(meta.get("slug")) or _slugify(source.path.stem)
    if not _is_slug(slug) or slug in RESERVED:
        errors.append(
            SiteError(
                source.path,
                source.line("slug") or 1,
                f"page slug '{slug}' is not a free, single path segment (choose another)",
            )
        )
        return None
    level = levels[0]
    if meta.get("security") not in (None, ""):
        found = audience_rules.parse_level(meta["security"], levels)
        if found is None:
            errors.append(
                SiteError(
                    source.path,
                    source.line("security") or 1,
                    f"unknown security level '{meta['security']}'",
                )
            )
            return None
        level = found
    draft = meta.get("draft") is True
    if level.rank > audience.rank or (draft and not selection.drafts):
        return None
    return source, slug


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
                slug=slug,
                title=_text(source.meta["title"]),
                summary=summary if isinstance(summary, str) else _truncate(body.first_paragraph),
                body=body.body,
                url=f"{config.base_path}{slug}/",
                permalink=f"{config.base_url}{slug}/",
                source=source.path,
            )
        )
    return sorted(result, key=lambda page: page.title.lower())


def _check_aliases(posts: Sequence[Post], pages: Sequence[Page], errors: list[SiteError]) -> None:
    taken = {f"posts/{post.slug}/index.html" for post in posts}
    taken |= {f"{page.slug}/index.html" for page in pages}
    for post in posts:
        for alias in post.aliases:
            if alias in taken or alias.split("/", 1)[0] in ("images", "assets"):
                errors.append(
                    SiteError(post.source, 1, f"alias '{alias}' is the path of another page")
                )
            taken.add(alias)


# ---------------------------------------------------------------- listings


def _series(posts: Sequence[Post], meta: Mapping[str, Any], base_path: str) -> tuple[Series, ...]:
    parts: dict[str, list[Post]] = {}
    for post in posts:
        if post.series:
            parts.setdefault(post.series.series_slug, []).append(post)
    result = []
    for slug, members in parts.items():
        members.sort(key=lambda p: p.series.part if p.series else 0)
        result.append(
            Series(
                slug=slug,
                title=meta[slug]["title"],
                description=meta[slug]["description"],
                planned=meta[slug]["planned"],
                status=meta[slug]["status"],
                url=f"{base_path}series/{slug}/",
                feed_url=f"{base_path}series/{slug}/feed.xml",
                parts=tuple(members),
                total=members[0].series.total if members[0].series else len(members),
            )
        )
    return tuple(sorted(result, key=lambda s: s.title.lower()))


def _tags(posts: Sequence[Post], base_path: str) -> tuple[TagListing, ...]:
    grouped: dict[str, list[Post]] = {}
    names: dict[str, Tag] = {}
    for post in sorted(posts, key=lambda p: (p.date, p.slug), reverse=True):
        for tag in post.tags:
            names.setdefault(tag.slug, tag)
            grouped.setdefault(tag.slug, []).append(post)
    return tuple(
        TagListing(tag=names[slug], posts=tuple(members), feed_url=f"{names[slug].url}feed.xml")
        for slug, members in sorted(grouped.items(), key=lambda item: names[item[0]].name.lower())
    )


def _author_listings(posts: Sequence[Post], base_path: str) -> tuple[AuthorListing, ...]:
    grouped: dict[str, list[Post]] = {}
    authors: dict[str, Author] = {}
    for post in sorted(posts, key=lambda p: (p.date, p.slug), reverse=True):
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
        return parsed.replace(tzinfo=config.timezone)
    # A date written with its own offset is shown as the site's readers' clocks read it.
    return parsed.astimezone(config.timezone)


def _tags_of(value: object, fail: Callable[[str, str], None]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(t, str | int | float) for t in value):
        fail("tags", "tags must be a list, e.g. tags: [cloud, procurement]")
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
        if slug not in seen:
            seen.add(slug)
            tags.append(name)
    return tuple(tags)


def _check_image(value: object, images: set[str], fail: Callable[[str, str], None]) -> str | None:
    """A lead image: an absolute URL, or a path to a file under content/images/ or static/."""
    if not isinstance(value, str) or not value.strip():
        fail("image", "image must be a path like /images/photo.png")
        return None
    if _is_http_url(value):
        return value
    path = _safe_relative(value)
    if path is None:
        fail("image", f"image '{value}' would be read from outside the site (use /images/<file>)")
        return None
    if path not in images:
        fail(
            "image",
            f"image '{value}' not found (put it in content/images/ and write /images/<file>)",
        )
        return None
    return path


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


def _default_slug(path: Path, part: int | None) -> str:
    """The file name; for a series part, without its part number: "03-identity.md" ->
    "identity"."""
    stem = path.stem
    if part is not None:
        match = re.fullmatch(rf"0*{part}[-_ ](.+)", stem)
        if match:
            stem = match.group(1)
    return _slugify(stem)


@functools.lru_cache(maxsize=65536)  # every post's tags are slugified: most are repeats
def _slugify(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_")


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
