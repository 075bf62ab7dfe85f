"""A bilingual site: one edition of the site a language, and the twins that join them.

Each language's posts and pages are assembled as a site of their own (`site.assemble`), its
pages under the language's folder ("/en/"), the files every language shares (assets,
images, static files) at the root. Then the twins are paired: a file and its translation
(`03-identity.md` and `03-identity.en.md`, or a `translation:` key naming the twin's id)
must share their security level, date, series, part and author; each published post and page
is given its twins' addresses, and a part published in another language only is listed in
its series as "available in" that language. A twin withheld from this audience withholds
the other too: the levels are the same, or the build stops.

A site in one language is one edition, assembled as before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from babel import Locale, UnknownLocaleError

from journeyblog import audience as audience_rules
from journeyblog.config import SiteConfig, language_folder
from journeyblog.errors import SiteError
from journeyblog.figures import Measured
from journeyblog.kept import Kept
from journeyblog.model import (
    Alternate,
    Page,
    PartEntry,
    Post,
    PostLink,
    SeriesPosition,
    Site,
    SiteInfo,
    Withheld,
)
from journeyblog.site import (
    Elsewhere,
    RenderBodies,
    Selection,
    assemble,
    index_names,
    language_of,
    placements,
    revise,
)
from journeyblog.sources import SiteSources, Source

_LANGUAGE_TAG = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"


@dataclass(frozen=True, slots=True, kw_only=True)
class Editions:
    """The site in each of its languages, the default first, and all of them as one."""

    sites: tuple[Site, ...]
    # Every edition's posts, pages, pictures and withheld texts with the root's addresses:
    # what the files every language shares, the manifest and the audit are made from.
    whole: Site
    # Per language, each page's versions in every language, itself included (hreflang):
    # by the page's output path within its edition ("posts/identity/index.html").
    versions: Mapping[str, Mapping[str, tuple[Alternate, ...]]]
    # Files without a twin, and what is missing: for `check`.
    untranslated: tuple[SiteError, ...] = ()


def edition_config(config: SiteConfig, language: str) -> SiteConfig:
    """The config one language's edition is assembled with: its language, its folder, and
    the syndication profiles that are for it."""
    if not config.bilingual:
        return config
    at_root = config.default_language_at_root and language == config.languages[0]
    said = {key: text for key, tag, text in config.in_languages if tag == language}
    return replace(
        config,
        title=said.get("title", config.title),
        description=said.get("description", config.description),
        language=language,
        language_path="" if at_root else language_folder(language, config.languages) + "/",
        syndication=tuple(p for p in config.syndication if p.language in (None, language)),
    )


def language_name(language: str) -> str:
    """A language's name in itself: "Cymraeg", "English", "Français"."""
    primary = language.split("-", 1)[0]
    name = Locale.parse(primary).get_display_name(primary) or language
    return name[:1].upper() + name[1:]


def assemble_editions(
    config: SiteConfig,
    sources: SiteSources,
    *,
    selection: Selection,
    render_bodies: RenderBodies | None = None,
    pictures: Mapping[str, Measured] | None = None,
    kept: Kept | None = None,
) -> tuple[Editions, list[SiteError]]:
    """Each language's site, its twins paired and checked; every problem found.
    `kept`: what an earlier assemble of the site made (site.Kept)."""
    if not config.bilingual:
        site, errors = assemble(
            config,
            sources,
            selection=selection,
            render_bodies=render_bodies,
            pictures=pictures,
            kept=kept,
        )
        return _one_language(site, config), errors
    split, errors = split_sources(sources, config)
    # Where each language puts its posts, or why it withholds them: a link or a picture
    # from another language resolves, or is refused, as within one.
    placed = {
        language: placements(edition_config(config, language), split[language], selection)
        for language in config.languages
    }
    sites = []
    for language in config.languages:
        others = [placed[other] for other in config.languages if other != language]
        own = kept.part(language) if kept is not None else None
        language_config = edition_config(config, language)
        site, found = assemble(
            own.interned("config", language_config) if own is not None else language_config,
            split[language],
            selection=selection,
            render_bodies=render_bodies,
            pictures=pictures,
            kept=own,
            elsewhere=Elsewhere(
                published={k: v for one in others for k, v in one.published.items()},
                withheld={k: v for one in others for k, v in one.withheld.items()},
                targets={k: v for one in others for k, v in one.targets.items()},
                indexes=tuple(
                    name
                    for other in config.languages
                    if other != language
                    for name in index_names(edition_config(config, other))
                ),
            ),
        )
        sites.append(site)
        errors += [error for error in found if error not in errors]  # series.yml's, once
    documents: dict[Path, Post | Page] = {
        post.source: post for site in sites for post in site.posts
    }
    documents.update((page.source, page) for site in sites for page in site.pages)
    withheld_ids = {
        item.source: value
        for site in sites
        for item in site.withheld
        for what, value in item.canaries
        if what == "id"
    }
    content = sources.site_dir / "content"
    files = [
        _File.of(source, language, documents, withheld_ids, config, content)
        for language in config.languages
        for source in (*split[language].posts, *split[language].pages)
    ]
    groups, pairing = _twins(files, config)
    errors += pairing
    errors += _differences(groups, config)
    errors += _kept_back_in_twin(groups, sites)
    untranslated = _untranslated(groups, config)
    if config.require_translations:
        errors += untranslated
    sites = _joined(sites, groups, config)
    return (
        Editions(
            sites=tuple(sites),
            whole=_whole(sites, config),
            versions=_versions(sites, groups, config),
            untranslated=tuple(untranslated),
        ),
        errors,
    )


def revise_editions(
    config: SiteConfig,
    sources: SiteSources,
    *,
    selection: Selection,
    render_bodies: RenderBodies,
    pictures: Mapping[str, Measured] | None,
    kept: Kept,
) -> Editions | None:
    """What assemble_editions gives when one post's body alone was edited (site.revise);
    None if that is not all, or the site has two languages: assemble_editions then."""
    if config.bilingual:
        return None
    site = revise(
        config,
        sources,
        selection=selection,
        render_bodies=render_bodies,
        pictures=pictures,
        kept=kept,
    )
    return _one_language(site, config) if site is not None else None


def _one_language(site: Site, config: SiteConfig) -> Editions:
    return Editions(sites=(site,), whole=site, versions={config.language: {}})


def edition_sources(sources: SiteSources, config: SiteConfig) -> dict[str, SiteSources]:
    """Each language's posts and pages, with the files they share (all of them, in a site of
    one language)."""
    if not config.bilingual:
        return {config.language: sources}
    return split_sources(sources, config)[0]


def split_sources(
    sources: SiteSources, config: SiteConfig
) -> tuple[dict[str, SiteSources], list[SiteError]]:
    """Each language's posts and pages (the shared files with each); a file named for a
    language the site does not have is an error, never published as the default's."""
    errors: list[SiteError] = []
    chosen: dict[str, tuple[list[Source], list[Source]]] = {
        language: ([], []) for language in config.languages
    }
    for kind, documents in ((0, sources.posts), (1, sources.pages)):
        for source in documents:
            stem, language = language_of(source.path.name, config.languages)
            tag = stem.rpartition(".")[2] if language is None and "." in stem else ""
            if tag and _is_language(tag):
                errors.append(
                    SiteError(
                        source.path,
                        1,
                        f"is in '{tag}', which is not one of the site's languages"
                        f" {list(config.languages)} (add it to languages, or rename the file)",
                    )
                )
                continue
            chosen[language or config.languages[0]][kind].append(source)
    return {
        language: replace(sources, posts=tuple(posts), pages=tuple(pages))
        for language, (posts, pages) in chosen.items()
    }, errors


def _is_language(tag: str) -> bool:
    if not re.fullmatch(_LANGUAGE_TAG, tag):
        return False
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


# ---------------------------------------------------------------- pairing


@dataclass(frozen=True, slots=True, kw_only=True)
class _File:
    """One post or page of one language, as pairing sees it."""

    source: Source
    language: str
    kind: str  # "post" or "page"
    key: str  # its name without the language: "posts/03-identity"
    id: str | None  # a post's id
    published: Post | Page | None

    @staticmethod
    def of(
        source: Source,
        language: str,
        documents: Mapping[Path, Post | Page],
        withheld_ids: Mapping[Path, str],
        config: SiteConfig,
        content: Path,
    ) -> _File:
        stem, _ = language_of(source.path.name, config.languages)
        folder = PurePosixPath(source.path.parent.relative_to(content).as_posix())
        published = documents.get(source.path)
        post_id = published.id if isinstance(published, Post) else withheld_ids.get(source.path)
        return _File(
            source=source,
            language=language,
            kind=source.kind,
            key=(folder if stem == "index" else folder / stem).as_posix(),
            id=post_id,
            published=published,
        )


def _twins(files: Sequence[_File], config: SiteConfig) -> tuple[list[list[_File]], list[SiteError]]:
    """The files grouped with their twins: by name, by a `translation:` key naming the
    twin's id or file ("posts/03-identity"), and by series and part. Two files of one
    language in a group, or a `translation:` naming nothing or more than one file, is an
    error."""
    errors: list[SiteError] = []
    ids: dict[str, _File] = {}
    for file in files:
        if file.id is not None:
            other = ids.get(file.id)
            if other is not None:
                errors.append(
                    SiteError(
                        file.source.path,
                        file.source.line("id") or 1,
                        f"id '{file.id}' is also {other.source.path}'s (each language's"
                        " text needs its own id)",
                    )
                )
            ids.setdefault(file.id, file)
    parent = {file.key: file.key for file in files}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for file in files:
        if "translation" not in file.source.meta:
            continue
        named = file.source.meta["translation"]
        line = file.source.line("translation") or 1
        if not isinstance(named, str) or not named.strip():
            errors.append(
                SiteError(
                    file.source.path,
                    line,
                    "translation must name the twin: its id, or its file (posts/03-identity)",
                )
            )
            continue
        written = named.strip()
        bare = written.removesuffix(".md")
        candidates = [ids[written]] if written in ids else []
        candidates = candidates or [
            other
            for other in files
            if other.key in (bare, f"{file.kind}s/{bare}")
            or other.source.path.as_posix().endswith("/" + written)
        ]
        candidates = [other for other in candidates if other.language != file.language]
        found = {root(other.key): other for other in candidates}
        if len(found) != 1:
            said = (
                "names no post or page of another language (write the twin's id, or its"
                " file: posts/03-identity)"
                if not found
                else "could be any of "
                + ", ".join(str(other.source.path) for other in found.values())
                + " (write the twin's id, or its path from content/)"
            )
            errors.append(SiteError(file.source.path, line, f"translation '{named}' {said}"))
            continue
        parent[root(file.key)] = next(iter(found))
    # A series' part is the same part in every language: its files are twins whatever their
    # names (and so must share their level).
    parts: dict[tuple[str, str], dict[str, list[_File]]] = {}
    for file in files:
        series, part = file.source.meta.get("series"), file.source.meta.get("part")
        if file.kind == "post" and series is not None and part is not None:
            parts.setdefault((str(series), str(part)), {}).setdefault(file.language, []).append(
                file
            )
    for by_language in parts.values():
        alone = [found[0] for found in by_language.values() if len(found) == 1]
        for other in alone[1:]:
            if root(other.key) != root(alone[0].key):
                parent[root(other.key)] = root(alone[0].key)
    grouped: dict[str, list[_File]] = {}
    for file in files:
        grouped.setdefault(root(file.key), []).append(file)
    groups = []
    for members in grouped.values():
        seen: dict[str, _File] = {}
        for file in members:
            if file.language in seen:
                first = seen[file.language]
                errors.append(
                    SiteError(
                        file.source.path,
                        file.source.line("translation") or 1,
                        f"is a second {_english_name(file.language)} text of"
                        f" {first.source.path} (one file a language: rename one of them)",
                    )
                )
            seen[file.language] = file
        if len({file.kind for file in members}) > 1:
            file = members[-1]
            errors.append(
                SiteError(
                    file.source.path,
                    file.source.line("translation") or 1,
                    "a post's twin must be a post, and a page's a page",
                )
            )
        order = {language: index for index, language in enumerate(config.languages)}
        groups.append(sorted(seen.values(), key=lambda f: order[f.language]))
    return groups, errors


def _differences(groups: Sequence[Sequence[_File]], config: SiteConfig) -> list[SiteError]:
    """Twins must agree on their level (else a translation could publish what the original
    withholds), and posts on their date, series, part and author."""
    errors: list[SiteError] = []
    levels = audience_rules.security_levels(config.security_levels)
    for members in groups:
        if len(members) < 2:
            continue
        first = members[0]

        def level(file: _File) -> str:
            value = file.source.meta.get("security", "public" if file.kind == "page" else None)
            found = audience_rules.parse_level(value, levels) if isinstance(value, str) else None
            return found.name if found else repr(value)

        shown = {file.language: level(file) for file in members}
        if len(set(shown.values())) > 1:
            said = ", ".join(f"{file.source.path} is '{shown[file.language]}'" for file in members)
            for file in members:
                errors.append(
                    SiteError(
                        file.source.path,
                        file.source.line("security") or 1,
                        f"twins must share one security level ({said}: give both the same)",
                    )
                )
        if first.kind != "post":
            continue
        for other in members[1:]:
            for key in ("date", "series", "part", "author"):
                mine, theirs = other.source.meta.get(key), first.source.meta.get(key)
                if _same(mine, theirs):
                    continue
                errors.append(
                    SiteError(
                        other.source.path,
                        other.source.line(key) or 1,
                        f"{key} is {_shown(mine)} but its twin {first.source.path} says"
                        f" {_shown(theirs)} (twins share their {key})",
                    )
                )
    return errors


# Consecutive words of a block kept back in one twin that the other may not publish: the
# audit's measure of a fragment (audit.RUN).
_RUN = 8


def _kept_back_in_twin(groups: Sequence[Sequence[_File]], sites: Sequence[Site]) -> list[SiteError]:
    """A published twin that says, word for word, what its twin keeps back in a level block
    (a translator who copied the text without its markers): an error on the twin. The audit
    would excuse those words, since the twin publishes them."""
    blocks: dict[Path, list[str]] = {}
    for site in sites:
        for item in site.withheld:
            if not item.whole_post:
                blocks.setdefault(item.source, []).extend(item.texts)
    errors: list[SiteError] = []
    for members in groups:
        for holder in members:
            kept = blocks.get(holder.source.path)
            if not kept:
                continue
            runs = _runs(kept)
            if holder.published is not None:  # what the holder says openly too is no secret
                runs -= _runs([str(holder.published.html)])
            for other in members:
                if other is holder or other.published is None:
                    continue
                found = next(
                    (
                        said[at : at + _RUN]
                        for said in map(_words, _said(other.published))
                        for at in range(len(said) - _RUN + 1)
                        if tuple(said[at : at + _RUN]) in runs
                    ),
                    None,
                )
                if found is not None:
                    errors.append(
                        SiteError(
                            other.source.path,
                            _line_saying(other.source, found),
                            f"says '{' '.join(found)}…', which its twin {holder.source.path}"
                            " keeps back in a level block (mark the same text here too)",
                        )
                    )
    return errors


def _said(document: Post | Page) -> list[str]:
    """What a published post or page says, each text apart: its body as rendered, the words
    of its pictures and links (alt and title), its title and summary."""
    html = str(document.html)
    summary = document.summary if isinstance(document, Post) else ""
    return [html, *_ATTRIBUTE_TEXT.findall(html), document.title, summary or ""]


_ATTRIBUTE_TEXT = re.compile(r'\b(?:alt|title)="([^"]*)"')


def _line_saying(source: Source, words: Sequence[str]) -> int:
    """The line of a source where `words` begin: in its body, or its front matter's."""
    pattern = r"\W+".join(map(re.escape, words[:4]))
    written = re.search(pattern, source.body.lower())
    if written is not None:
        return source.body_line + source.body.count("\n", 0, written.start())
    for key in ("summary", "title"):
        value = source.meta.get(key)
        if isinstance(value, str) and re.search(pattern, value.lower()):
            return source.line(key) or source.body_line
    return source.body_line


def _runs(texts: Sequence[str]) -> set[tuple[str, ...]]:
    """Every _RUN consecutive words of the rendered `texts`."""
    return {
        tuple(words[at : at + _RUN])
        for words in map(_words, texts)
        for at in range(len(words) - _RUN + 1)
    }


def _words(html: str) -> list[str]:
    """The words of rendered HTML, lower case, markup and punctuation left out."""
    return re.findall(r"\w+", unescape(re.sub(r"<[^>]*>", " ", html)).lower())


def _same(one: object, other: object) -> bool:
    if isinstance(one, datetime | str) or isinstance(other, datetime | str):
        return str(one).strip() == str(other).strip()
    return one == other


def _shown(value: object) -> str:
    return "nothing" if value is None else f"'{value}'"


def _untranslated(groups: Sequence[Sequence[_File]], config: SiteConfig) -> list[SiteError]:
    """A problem for each file that lacks a twin in a language, or whose twin is not
    published where it is."""
    found: list[SiteError] = []
    for members in groups:
        present = {file.language for file in members}
        for file in members:
            if file is not members[0] and members[0].language in present:
                continue  # said once a group, on the first file
            for language in config.languages:
                if language in present:
                    continue
                found.append(
                    SiteError(
                        file.source.path,
                        1,
                        f"has no {_english_name(language)} twin (write"
                        f" {_twin_name(file.source.path, file.language, language, config)})",
                    )
                )
        published = [file for file in members if file.published is not None]
        if published and len(published) < len(members):
            for file in members:
                if file.published is None:
                    found.append(
                        SiteError(
                            file.source.path,
                            1,
                            f"is not published by this build, but its twin"
                            f" {published[0].source.path} is (publish both or neither)",
                        )
                    )
    return found


def _english_name(language: str) -> str:
    """How a message names a language: "Welsh (cy)", "English (en-GB)"."""
    return f"{Locale.parse(language.split('-', 1)[0]).english_name} ({language})"


def _twin_name(path: Path, language: str, wanted: str, config: SiteConfig) -> str:
    stem, _ = language_of(path.name, config.languages)
    if wanted == config.languages[0]:
        return str(path.with_name(f"{stem}.md"))
    return str(path.with_name(f"{stem}.{language_folder(wanted, config.languages)}.md"))


# ---------------------------------------------------------------- joining the editions


def _alternate(document: Post | Page, language: str) -> Alternate:
    return Alternate(
        language=language,
        name=language_name(language),
        url=document.url,
        permalink=document.permalink,
    )


def _joined(
    sites: Sequence[Site], groups: Sequence[Sequence[_File]], config: SiteConfig
) -> list[Site]:
    """Each edition with its posts' and pages' twins, its series' parts in other languages,
    every language's withheld texts, and every language's home."""
    twins: dict[Path, tuple[Alternate, ...]] = {}
    withheld_twins: dict[Path, list[Post | Page]] = {}
    for members in groups:
        shown = [(f.published, f.language) for f in members if f.published is not None]
        for file in members:
            if file.published is not None:
                twins[file.source.path] = tuple(
                    _alternate(document, language)
                    for document, language in shown
                    if document is not file.published
                )
            else:
                withheld_twins[file.source.path] = [document for document, _ in shown]
    homes = tuple(
        Alternate(
            language=language,
            name=language_name(language),
            url=site.info.base_path,
            permalink=site.info.base_url,
        )
        for language, site in zip(config.languages, sites, strict=True)
    )
    # A folder shared by twins publishes its files under the published twin's address.
    published_files = {file for site in sites for file, _ in site.files}
    withheld = tuple(
        _without_public(item, withheld_twins.get(item.source, ()), published_files)
        for site in sites
        for item in site.withheld
    )
    parts = {
        language: {
            series.slug: {post.series.part: post for post in series.parts if post.series}
            for series in site.series
        }
        for language, site in zip(config.languages, sites, strict=True)
    }
    joined = []
    for language, site in zip(config.languages, sites, strict=True):
        elsewhere = _parts_elsewhere(language, parts, config)
        joined.append(
            _with_twins(
                replace(site, withheld=withheld, info=replace(site.info, editions=homes)),
                twins,
                elsewhere,
            )
        )
    return joined


def _without_public(
    item: Withheld, published: Sequence[Post | Page], files: Collection[str]
) -> Withheld:
    """A withheld twin (a translation still a draft) without the canaries its published
    twin shows anyway: their slug, or a title both languages share, is no secret; nor are
    the files of their shared folder that the published twin shows."""
    public = {
        value
        for document in published
        for value in (document.slug, document.title, document.summary)
    }
    kept = tuple((what, value) for what, value in item.canaries if value not in public)
    images = tuple(path for path in item.image_paths if path not in files)
    if kept == item.canaries and images == item.image_paths:
        return item
    return replace(item, canaries=kept, image_paths=images)


def _parts_elsewhere(
    language: str, parts: Mapping[str, Mapping[str, Mapping[int, Post]]], config: SiteConfig
) -> dict[str, tuple[PartEntry, ...]]:
    """Per series, the parts published in another language but not in this one."""
    own = parts[language]
    found: dict[str, dict[int, PartEntry]] = {}
    for other in config.languages:
        if other == language:
            continue
        for slug, numbered in parts[other].items():
            for number, post in numbered.items():
                if number in own.get(slug, {}) or number in found.get(slug, {}):
                    continue
                found.setdefault(slug, {})[number] = PartEntry(
                    number=number,
                    state="translated",
                    link=PostLink(
                        title=post.title, url=post.url, summary=post.summary, part=number
                    ),
                    language=_alternate(post, other),
                )
    return {slug: tuple(entries[n] for n in sorted(entries)) for slug, entries in found.items()}


def _with_twins(
    site: Site,
    twins: Mapping[Path, tuple[Alternate, ...]],
    elsewhere: Mapping[str, tuple[PartEntry, ...]],
) -> Site:
    def post_of(post: Post) -> Post:
        position = post.series
        if position is not None and position.series_slug in elsewhere:
            position = _with_parts(position, elsewhere[position.series_slug])
        return replace(post, translations=twins.get(post.source, ()), series=position)

    posts = {post.source: post_of(post) for post in site.posts}

    def listed(items: Iterable[Post]) -> tuple[Post, ...]:
        return tuple(posts[post.source] for post in items)

    return replace(
        site,
        posts=listed(site.posts),
        pages=tuple(replace(page, translations=twins.get(page.source, ())) for page in site.pages),
        series=tuple(
            replace(series, parts=listed(series.parts), translated=elsewhere.get(series.slug, ()))
            for series in site.series
        ),
        tags=tuple(replace(listing, posts=listed(listing.posts)) for listing in site.tags),
        authors=tuple(replace(listing, posts=listed(listing.posts)) for listing in site.authors),
    )


def _with_parts(position: SeriesPosition, added: Sequence[PartEntry]) -> SeriesPosition:
    """The position's list of parts with those published in another language only: in
    place of a "withheld" entry of the same number, which they say more of."""
    numbers = {entry.number for entry in added}
    kept = [
        entry
        for entry in position.parts
        if not (entry.number in numbers and entry.state in ("withheld", "planned"))
    ]
    taken = {entry.number for entry in kept}
    entries = [*kept, *(entry for entry in added if entry.number not in taken)]
    return replace(position, parts=tuple(sorted(entries, key=lambda entry: entry.number)))


def _whole(sites: Sequence[Site], config: SiteConfig) -> Site:
    """All editions as one site at the root, for the files they share."""
    first = sites[0]
    # A picture of content/images/ one language shows only in what it withholds is not
    # published because another language's site, which withholds nothing of it, lists it.
    held = {path for item in first.withheld for path in item.image_paths}
    shown: set[str] = set()
    for site in sites:
        documents: list[Post | Page] = [*site.posts, *site.pages]
        urls = [url for document in documents for url in document.images]
        urls += [post.image for post in site.posts if post.image]
        shown.update(unquote(urlsplit(url).path).removeprefix(site.files_path) for url in urls)
    pictures = {
        (file, picture)
        for site in sites
        for file, picture in site.pictures
        if not (file.startswith("images/") and file in held and file not in shown)
    }
    files = {file for site in sites for file in site.files}
    info: SiteInfo = replace(
        first.info,
        base_url=config.base_url,
        base_path=config.root_path,
        root_path="",
        root_url="",
    )
    return Site(
        info=info,
        posts=tuple(
            sorted(
                (post for site in sites for post in site.posts),
                key=lambda p: (p.date, p.slug),
                reverse=True,
            )
        ),
        pages=tuple(page for site in sites for page in site.pages),
        series=(),
        tags=(),
        authors=(),
        withheld=first.withheld,
        built_at=first.built_at,
        pictures=tuple(sorted(pictures, key=lambda item: (item[0], item[1].url))),
        files=tuple(sorted(files)),
    )


def _versions(
    sites: Sequence[Site], groups: Sequence[Sequence[_File]], config: SiteConfig
) -> dict[str, dict[str, tuple[Alternate, ...]]]:
    """Per language, each page's versions in every language (itself first among equals, in
    the order of `languages`), by its path in its edition: a post or page by its twins, any
    other page (home, a series, a tag) by the same path in the other editions."""
    paths = {
        language: _listing_paths(site)
        for language, site in zip(config.languages, sites, strict=True)
    }
    versions: dict[str, dict[str, tuple[Alternate, ...]]] = {lang: {} for lang in config.languages}
    for members in groups:
        shown = [f for f in members if f.published is not None]
        if len(shown) < 2:
            continue
        every = tuple(_alternate(f.published, f.language) for f in shown if f.published)
        for file in shown:
            assert file.published is not None
            versions[file.language][_own_path(file.published)] = every
    every_path = set().union(*paths.values())
    for path in sorted(every_path):
        having = [
            (language, site)
            for language, site in zip(config.languages, sites, strict=True)
            if path in paths[language]
        ]
        if len(having) < 2:
            continue
        url = path.removesuffix("index.html")
        every = tuple(
            Alternate(
                language=language,
                name=language_name(language),
                url=site.url(url),
                permalink=site.absolute(url),
            )
            for language, site in having
        )
        for language, _ in having:
            versions[language][path] = every
    return versions


def _own_path(document: Post | Page) -> str:
    return (
        f"posts/{document.slug}/index.html"
        if isinstance(document, Post)
        else (f"{document.slug}/index.html")
    )


def _listing_paths(site: Site) -> set[str]:
    """The paths of the pages besides posts and pages that pair across languages by path:
    the home and its later pages, the archive, search, series, tag and author pages (a path
    paired where both languages make that page)."""
    paths = {"index.html", "archive/index.html", "search/index.html", "series/index.html"}
    paths |= {"tags/index.html", "authors/index.html"}
    for series in site.series:
        paths |= {f"series/{series.slug}/index.html", f"series/{series.slug}/all/index.html"}
    paths |= {f"tags/{listing.tag.slug}/index.html" for listing in site.tags}
    paths |= {f"authors/{listing.author.slug}/index.html" for listing in site.authors}
    # The home's later pages, where both languages have them.
    pages = -(-len(site.posts) // site.info.posts_per_page)
    paths |= {f"page/{number}/index.html" for number in range(2, pages + 1)}
    return paths
