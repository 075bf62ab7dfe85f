"""Site -> pages: every HTML page, the sitemap, robots.txt and alias redirects.

Owns the Jinja environment: the site's own themes/<theme>/templates first, then the default
theme's, template by template (a ChoiceLoader); autoescape on; StrictUndefined, so a misspelt
field is an error rather than a blank. Templates see model objects only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from journeyblog.config import default_theme_dir
from journeyblog.digests import digest
from journeyblog.fingerprint import WORDS, Fingerprints, Shown
from journeyblog.i18n import Language, english
from journeyblog.kept import Kept, Unkept
from journeyblog.model import (
    Alternate,
    AuthorListing,
    Job,
    Output,
    Post,
    Series,
    Site,
    SocialImage,
    TagListing,
)
from journeyblog.omnibus import collect
from journeyblog.reads import Reading, Reads
from journeyblog.reads import current as current_reading
from journeyblog.series import newest_series


def theme_dirs(site_dir: Path, theme: str) -> tuple[Path, ...]:
    """Where templates and static files come from, the first that has a file winning."""
    dirs = [site_dir / "themes" / theme]
    if theme != "default":
        dirs.append(site_dir / "themes" / "default")
    dirs.append(default_theme_dir())
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and all(folder.resolve() != seen.resolve() for seen in unique):
            unique.append(folder)
    return tuple(unique)


def make_environment(
    themes: Sequence[Path], cache_dir: Path | None = None, language: Language | None = None
) -> Environment:
    """The templates of `themes`, speaking `language` (English without a catalog if None)."""
    language = language or english()
    env = _NotingEnvironment(
        loader=ChoiceLoader([FileSystemLoader(folder / "templates") for folder in themes]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=FileSystemBytecodeCache(str(cache_dir)) if cache_dir else None,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(language.translations, newstyle=True)  # type: ignore[attr-defined]
    # For scripts, unformatted: they fill in "%(num)s" and the like themselves.
    env.globals["script_message"] = language.gettext
    env.globals["plural_forms"] = language.plural_forms
    env.filters["date"] = language.format_date
    env.filters["number"] = language.format_number
    env.filters["isodate"] = lambda value: value.isoformat()
    env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    env.filters["jsonld"] = json_ld
    # A language's name in the page's language: "Saesneg" on a Welsh page.
    env.filters["language_name"] = language.name_of
    return env


class _NotingEnvironment(Environment):
    """Notes each template a recorded rendering loads (reads.recording): what it extends,
    includes and imports, as Jinja finds them at render time, a name it fails to find too."""

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        reading = current_reading()
        if reading is not None:
            reading.templates.add(name)
        return super()._load_template(name, globals)


class SiteReads:
    """A Site as a template sees it: without what the build withholds, which is the audit's
    alone, and noting each value the template asks for into the rendering's notes, if it is
    recorded (reads.recording)."""

    __slots__ = ("_reading", "_site")

    def __init__(self, site: Site, reading: Reading | None) -> None:
        # A copy without it, not a guard on the name: a template can reach `_site` too.
        self._site = replace(site, withheld=()) if site.withheld else site
        self._reading = reading

    def __getattr__(self, name: str) -> Any:
        if self._reading is not None:
            self._reading.site.add(name if name in SITE_FIELDS else "info")
        return getattr(self._site, name)


def template_sources(env: Environment, names: Iterable[str]) -> str:
    """The digest of the sources of the templates `names` as `env` finds them now (one it
    cannot find, as missing): what a rendering that loaded them was made from."""
    parts = []
    for name in sorted(names):
        try:
            source = env.loader.get_source(env, name)[0] if env.loader else ""
        except TemplateNotFound:
            source = "\0missing"
        parts.append(f"{name}:{hashlib.sha256(source.encode()).hexdigest()}")
    return digest(parts)


def json_ld(value: object) -> Markup:
    """JSON for a <script type="application/ld+json">: no text in it can close the element.

    `<`, `>` and `&` become \\u003c, \\u003e and \\u0026, which JSON reads back unchanged
    and HTML cannot mistake for `</script>` or a character reference.
    """
    # Compact: no reader looks at it, and without `indent` json uses its C encoder.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def format_date(value: datetime) -> str:
    """29 July 2016, as British readers write it (a site's own language: i18n.Language)."""
    return english().format_date(value)


# The Site's own values: a method or property (url(), absolute(), files_path) reads `info`.
SITE_FIELDS = frozenset(field.name for field in fields(Site))
# Budgets that keep every page light on a large site: a longer list is split into pages,
# the first at the list's own URL, the others at page/N/ under it.
LIST_PAGE = 100  # posts on a tag's or an author's page (cards with summaries)
ARCHIVE_PAGE = 300  # archive lines on one page; more posts: a page per year
SERIES_PAGE = 60  # series on the series index
HOME_SERIES = 12  # series on the home page (the most recently added to), then a link
BROWSE_SERIES = 12  # series the search page offers to browse, the same way


def render_pages(
    site: Site, env: Environment, social: Mapping[str, SocialImage] | None = None
) -> list[Output]:
    """Every page of the site, in a stable order.

    `social` maps a post's slug to the image its link preview shows (see cards.py).
    """
    return [Output(job.path, job.make()) for job in page_jobs(site, env, social)]


def page_jobs(
    site: Site,
    env: Environment,
    social: Mapping[str, SocialImage] | None = None,
    fingerprints: Fingerprints | None = None,
    language: Language | None = None,
    versions: Mapping[str, tuple[Alternate, ...]] | None = None,
) -> list[Job]:
    """Every page as a Job: its path, the fingerprint of its template context, how to make it.

    A page's key covers its template's name and context (the `site` every page also sees is
    left to the build's site-wide fingerprint). `versions`: each page's versions in every
    language of a bilingual site, by its path (editions.py); a page's context has its own.
    """
    renderer = _Renderer(
        site, env, social or {}, fingerprints or Fingerprints(), language, versions or {}
    )
    return [renderer.job(spec) for spec in renderer.all()]


def page_specs(
    site: Site,
    env: Environment,
    social: Mapping[str, SocialImage] | None = None,
    language: Language | None = None,
    versions: Mapping[str, tuple[Alternate, ...]] | None = None,
    *,
    kept: Kept | None = None,
) -> list[PageSpec]:
    """Every page as what it is made from, unkeyed: render each with `render_page`.
    `kept`: what the last call made (kept.Kept); a post's page is made from its post."""
    kept = kept if kept is not None else Unkept()
    renderer = _Renderer(site, env, social or {}, Fingerprints(), language, versions or {}, kept)
    specs = list(renderer.all())
    kept.forget_unused()
    return specs


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page as what it is made from: its template and context (besides `site`).

    `derived` makes more of the context when the page is made, from the site and the rest
    of the context (share links, a series' parts joined): values that follow from them.
    """

    path: str
    template: str
    context: Mapping[str, Any]
    derived: Callable[[Site], Mapping[str, Any]] | None = None


def render_page(template: Template, site: Site, spec: PageSpec) -> bytes:
    """The page's bytes: `template` (spec.template's, compiled) rendered for `site`; what
    it reads of the site noted, if the rendering is recorded (reads.recording)."""
    reading = current_reading()
    if reading is not None:
        reading.templates.add(spec.template)
    site = cast(Site, SiteReads(site, reading))
    context = spec.context
    if spec.derived is not None:
        context = {**context, **spec.derived(site)}
    return str(template.render(site=site, **context)).encode("utf-8")


class _Renderer:
    def __init__(
        self,
        site: Site,
        env: Environment,
        social: Mapping[str, SocialImage],
        fingerprints: Fingerprints,
        language: Language | None,
        versions: Mapping[str, tuple[Alternate, ...]],
        kept: Kept | None = None,
    ) -> None:
        self.site = site
        self.versions = versions
        self.env = env
        self.language = language or english()
        self.say = self.language.say  # the titles set here, not in a template
        self.social = social
        self.fingerprints = fingerprints
        # Memos of this renderer's own, not functools.cache on the methods: a cache on the
        # class would keep every renderer, with its fingerprints, for the life of the
        # process. The jobs' `key_for` keeps it as long as they are.
        self._template = functools.cache(env.get_template)  # looked up once a build
        self._sources = functools.cache(functools.partial(template_sources, env))
        # Once a build, not once a page: a list every page shows is as long as the site.
        self._site_value = functools.cache(functools.partial(_site_digest, site, fingerprints))
        self._shared: frozenset[str] | None = None
        self.kept = kept if kept is not None else Unkept()
        self.info = self.kept.interned("info", site.info)  # each post's spec is made from it

    def read_key(self, spec: PageSpec, reads: Reads) -> str:
        """What the page's bytes were made from, given what its rendering read (`reads`),
        as it is in this site: beyond the site-wide fingerprint, the page's context (its own
        post or page with its body; every other post by what lists show of it, and by its
        body (or its word count alone) if the rendering read one not its own), the Site's
        values it read, and the sources of the templates it loaded."""
        own = [spec.context[name] for name in ("post", "page") if name in spec.context]
        marks = {document.body.mark for document in own}

        def others(read: frozenset[str]) -> bool:
            return any(mark not in marks or mark in self._shared_marks() for mark in read)

        shown: Shown = True if others(reads.bodies) else WORDS if others(reads.counts) else False
        parts: list[str] = [spec.path, repr(shown)]
        parts.extend(self.fingerprints.of(document, bodies=True) for document in own)
        parts.append(self.fingerprints.of(dict(spec.context), bodies=shown))
        parts.extend(f"{name}:{self._site_value(name, shown)}" for name in sorted(reads.site))
        parts.append(self._sources(tuple(sorted(reads.templates))))
        return digest(parts)

    def _shared_marks(self) -> frozenset[str]:
        """The bodies (body_mark) that more than one post or page has: a page that read one
        of them may have read another's, not its own's."""
        if self._shared is None:
            seen: set[str] = set()
            shared: set[str] = set()
            bodies = [post.body for post in self.site.posts] + [
                page.body for page in self.site.pages
            ]
            for body in bodies:
                mark = body.mark
                (shared if mark in seen else seen).add(mark)
            self._shared = frozenset(shared)
        return self._shared

    def _page(
        self,
        path: str,
        template: str,
        derived: Callable[[Site], Mapping[str, Any]] | None = None,
        **context: Any,
    ) -> PageSpec:
        """The page's job. `derived` makes more of its context when the page is made: only
        values that follow from the site and the rest of the context, which its key covers."""
        url_path = path.removesuffix("index.html")
        if "canonical_url" not in context:
            context["canonical_url"] = self.site.absolute(url_path)
        if "page_url" not in context:
            context["page_url"] = self.site.url(url_path)
        context.setdefault("feeds", ())
        context.setdefault("versions", self.versions.get(path, ()))
        return PageSpec(path, template, context, derived)

    def job(self, spec: PageSpec) -> Job:
        """The spec as a job of the build: keyed by what its rendering reads (read_key)."""
        make = functools.partial(render_page, self._template(spec.template), self.site, spec)
        key_for = functools.partial(self.read_key, spec)
        return Job(spec.path, digest((spec.path, spec.template)), make, key_for=key_for)

    def all(self) -> Iterator[PageSpec]:
        yield from self.home()
        yield from self.posts()
        yield from self.series()
        yield from self.tags()
        yield from self.authors()
        yield from self.archive()
        yield from self.pages()
        yield self._page(
            "search/index.html", "search.html", title=self.say("Search"), derived=_browse_context
        )
        yield self._page("404.html", "404.html", title=self.say("Page not found"), canonical_url="")
        yield from self.redirects()
        yield self.sitemap()
        yield self.robots()

    def home(self) -> Iterator[PageSpec]:
        posts = self.site.posts
        size = self.site.info.posts_per_page
        count = max(1, math.ceil(len(posts) / size))
        for number in range(1, count + 1):
            path = "index.html" if number == 1 else f"page/{number}/index.html"
            yield self._page(
                path,
                "home.html",
                title=self.site.info.title,
                posts=posts[(number - 1) * size : number * size],
                pagination=_pagination(self.site, number, count),
                all_series=newest_series(self.site.series, HOME_SERIES) if number == 1 else (),
                series_count=len(self.site.series) if number == 1 else 0,
            )

    def posts(self) -> Iterator[PageSpec]:
        by_slug = {series.slug: series for series in self.site.series}
        for post in self.site.posts:
            series = by_slug[post.series.series_slug] if post.series else None
            path = f"posts/{post.slug}/index.html"
            social = self.social.get(post.slug)  # link preview image, for post_head.html
            made_from = (post, series, social, self.versions.get(path), self.info)
            yield self.kept.made(
                path, made_from, functools.partial(self._post, path, post, series, social)
            )

    def _post(
        self, path: str, post: Post, series: Series | None, social: SocialImage | None
    ) -> PageSpec:
        return self._page(
            path,
            "post.html",
            title=post.title,
            post=post,
            series=series,
            canonical_url=post.canonical,
            # Made with the page: they follow from the post's URL and title.
            derived=functools.partial(_share_context, post),
            social=social,
            feeds=((f"{series.title} (Atom)", series.feed_url),) if series else (),
        )

    def series(self) -> Iterator[PageSpec]:
        every = self.site.series
        # A long index lists the series most recently added to first, a page at a time.
        ordered = every if len(every) <= SERIES_PAGE else newest_series(every, len(every))
        chunks = _chunks(ordered, SERIES_PAGE)
        for number, chunk in enumerate(chunks, 1):
            yield self._page(
                _page_path("series/", number),
                "series_index.html",
                title=self.say("Series"),
                shown=chunk,
                pagination=_pagination(self.site, number, len(chunks), "series/"),
            )
        for series in self.site.series:
            feeds = ((f"{series.title} (Atom)", series.feed_url),)
            yield self._page(
                f"series/{series.slug}/index.html",
                "series.html",
                title=series.title,
                series=series,
                feeds=feeds,
            )
            yield self._page(
                f"series/{series.slug}/all/index.html",
                "series_all.html",
                title=self.say("%(series)s: all parts") % {"series": series.title},
                series=series,
                feeds=feeds,
                # Made with the page: the parts' bodies as one document follow from the series.
                derived=functools.partial(_collected_context, series, self.language),
            )

    def tags(self) -> Iterator[PageSpec]:
        yield self._page("tags/index.html", "tags.html", title=self.say("Tags"))
        for listing in self.site.tags:
            yield from self._listing(
                f"tags/{listing.tag.slug}/",
                "tag.html",
                listing,
                title=self.say("Posts tagged “%(tag)s”") % {"tag": listing.tag.name},
                feeds=((f"{listing.tag.name} (Atom)", listing.feed_url),),
            )

    def authors(self) -> Iterator[PageSpec]:
        yield self._page("authors/index.html", "authors.html", title=self.say("Authors"))
        for listing in self.site.authors:
            yield from self._listing(
                f"authors/{listing.author.slug}/",
                "author.html",
                listing,
                title=listing.author.name,
                feeds=((f"{listing.author.name} (Atom)", listing.feed_url),),
            )

    def _listing(
        self, base: str, template: str, listing: TagListing | AuthorListing, **context: Any
    ) -> Iterator[PageSpec]:
        """A tag's or an author's posts, LIST_PAGE a page."""
        chunks = _chunks(listing.posts, LIST_PAGE)
        for number, chunk in enumerate(chunks, 1):
            yield self._page(
                _page_path(base, number),
                template,
                # Each page holds its own posts only, so an edit remakes the page showing it.
                listing=replace(listing, posts=chunk),
                total=len(listing.posts),
                pagination=_pagination(self.site, number, len(chunks), base),
                **context,
            )

    def archive(self) -> Iterator[PageSpec]:
        years = [
            (year, tuple(posts))
            for year, posts in groupby(self.site.posts, key=lambda post: post.date.year)
        ]
        if len(self.site.posts) <= ARCHIVE_PAGE:
            yield self._page(
                "archive/index.html",
                "archive.html",
                title=self.say("Archive"),
                years=years,
                index=(),
                year=None,
                pagination=None,
            )
            return
        # A large site: the archive is an index of years, and each year its own pages.
        index = [(year, len(posts), self.site.url(f"archive/{year}/")) for year, posts in years]
        yield self._page(
            "archive/index.html",
            "archive.html",
            title=self.say("Archive"),
            years=(),
            index=index,
            year=None,
            pagination=None,
        )
        for year, posts in years:
            base = f"archive/{year}/"
            chunks = _chunks(posts, ARCHIVE_PAGE)
            for number, chunk in enumerate(chunks, 1):
                yield self._page(
                    _page_path(base, number),
                    "archive.html",
                    title=self.say("Archive: %(year)s") % {"year": year},
                    years=((year, chunk),),
                    index=index,
                    year=year,
                    pagination=_pagination(self.site, number, len(chunks), base),
                )

    def pages(self) -> Iterator[PageSpec]:
        for page in self.site.pages:
            yield self._page(f"{page.slug}/index.html", "page.html", title=page.title, page=page)

    def redirects(self) -> Iterator[PageSpec]:
        for post in self.site.posts:
            for alias in post.aliases:
                yield self._bare(alias, "redirect.html", post=post)

    def sitemap(self) -> PageSpec:
        return self._bare("sitemap.xml", "sitemap.xml")

    def robots(self) -> PageSpec:
        return self._bare("robots.txt", "robots.txt")

    def _bare(self, path: str, template: str, **context: Any) -> PageSpec:
        """A file made from a template with no page furniture (redirects, sitemap)."""
        return PageSpec(path, template, context)


def root_pages(
    whole: Site,
    sites: Sequence[Site],
    versions: Mapping[str, Mapping[str, tuple[Alternate, ...]]],
    env: Environment,
) -> list[Job]:
    """A bilingual site's own files at its root: the sitemap of every language, each page
    with its versions; robots.txt; and, unless the default language's home is the root, a
    page that offers each language's home."""
    prints = Fingerprints()
    made = digest(
        (
            repr(sorted((language, sorted(paths.items())) for language, paths in versions.items())),
            *(prints.of(site.posts) for site in sites),
            *(prints.of(site.series) for site in sites),
            *(prints.of(site.pages) for site in sites),
            *(repr(site.info) for site in sites),
        )
    )

    def job(path: str, template: str) -> Job:
        compiled = env.get_template(template)

        def make() -> bytes:
            reading = current_reading()
            if reading is not None:
                reading.templates.add(template)
            shown = [cast(Site, SiteReads(site, None)) for site in sites]
            page = compiled.render(
                site=cast(Site, SiteReads(whole, None)), sites=shown, versions=versions
            )
            return str(page).encode("utf-8")

        def key_for(reads: Reads) -> str:  # what it shows is in `made`; what else: templates
            return template_sources(env, reads.templates)

        return Job(path, digest((made, path, template)), make, key_for=key_for)

    jobs = [job("sitemap.xml", "sitemap_languages.xml"), job("robots.txt", "robots.txt")]
    if sites[0].info.base_path != whole.info.base_path:
        jobs.append(job("index.html", "languages.html"))
    return jobs


def _site_digest(site: Site, fingerprints: Fingerprints, name: str, bodies: Shown) -> str:
    """The fingerprint of one of the Site's values (`name`: "posts", "info", …)."""
    return fingerprints.of(getattr(site, name), bodies=bodies)


def _pagination(site: Site, number: int, count: int, base: str = "") -> dict[str, Any]:
    """Page `number` of `count` of a list whose first page is at `base` ("tags/x/")."""

    def url(n: int) -> str:
        return site.url(base) if n == 1 else site.url(f"{base}page/{n}/")

    return {
        "number": number,
        "count": count,
        "previous": url(number - 1) if number > 1 else None,
        "next": url(number + 1) if number < count else None,
    }


def _page_path(base: str, number: int) -> str:
    """Where page `number` of a list at `base` is written: tags/x/index.html, then
    tags/x/page/2/index.html, …"""
    return f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"


def _chunks(items: Sequence[Any], size: int) -> list[tuple[Any, ...]]:
    """`items` in runs of `size`; one empty run if there are none (the page says so)."""
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)] or [()]


def _collected_context(series: Series, language: Language, site: Site) -> dict[str, Any]:
    return {"parts": collect(site, series, language=language)}


def _browse_context(site: Site) -> dict[str, Any]:
    """What the search page offers to browse without its script."""
    return {"browse_series": newest_series(site.series, BROWSE_SERIES)}


def _share_context(post: Post, site: Site) -> dict[str, Any]:
    return {"share": _share_links(post)}


def _share_links(post: Post) -> dict[str, str]:
    url = quote(post.canonical, safe="")
    return {
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={url}",
        "email": f"mailto:?subject={quote(post.title, safe='')}&body={url}",
    }
