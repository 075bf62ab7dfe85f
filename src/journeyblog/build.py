"""The pipeline: `build`, its stages in order, read top to bottom.

    load_config -> read (sources.discover) -> assemble_editions -> publishable
    -> plan_files (pages, feeds, search, cards, books, pictures) + assets
    -> make -> audit (AuditedOutputs) -> write, manifest

Every stage collects its errors; `build` raises BuildFailed before anything is written, so
a bad source never costs the existing output. The stages that read, render and write are run
by an `Engine` (journeyblog.engine), which remembers the last build and spreads the work over
processes; what is published is decided here, never there.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import posixpath
import re
import time
from collections import Counter
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeVar
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2 import Environment

from journeyblog.audience import security_levels
from journeyblog.audit import ADDRESS, Auditor, Finding, audit_outputs
from journeyblog.cards import previews, social_images
from journeyblog.checks import build_warnings, site_warnings
from journeyblog.compress import SUFFIXES
from journeyblog.config import CACHE_DIR, LOCALES, SiteConfig, load_config
from journeyblog.digests import digest
from journeyblog.ebook import Book, series_books
from journeyblog.editions import Editions, assemble_editions, edition_config, edition_sources
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError
from journeyblog.feeds import FILE_NAMES, feed_jobs, feed_scopes, syndication_jobs
from journeyblog.figures import Measured
from journeyblog.fingerprint import Fingerprints
from journeyblog.i18n import (
    CatalogError,
    Language,
    english,
    interface_messages,
    load_language,
    untranslated,
)
from journeyblog.kept import Kept
from journeyblog.markers import strip_level_blocks
from journeyblog.model import (
    Alternate,
    Job,
    Output,
    Page,
    Post,
    SecurityLevel,
    Site,
    SocialImage,
    Withheld,
    WriteReport,
)
from journeyblog.options import BuildOptions, manifest_beside
from journeyblog.pictures import damaged, measure_all, picture_jobs, unpublishable
from journeyblog.render import (
    PageSpec,
    make_environment,
    page_jobs,
    page_specs,
    root_pages,
    theme_dirs,
)
from journeyblog.rendered import Rendered
from journeyblog.schema import texts_in
from journeyblog.search import FOLDER as SEARCH_FOLDER
from journeyblog.search import (
    INDEX_PATH,
    POSTS_PER_CHUNK,
    chunked_paths,
    posts_chunk,
    search_index,
    word_chunks,
)
from journeyblog.site import Selection
from journeyblog.sources import SiteSources, discover
from journeyblog.versions import VERSIONS


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    site: Site  # in a bilingual site, the default language's
    pages: int
    feeds: int
    files: int
    report: WriteReport
    manifest: Path  # where the publication manifest was written
    rendered: int  # files made this time (the rest were unchanged since the last build)
    made: tuple[str, ...]  # their paths, in the order they were made
    reused: int  # files kept from the previous output, their key unchanged
    seconds: float
    stages: tuple[tuple[str, float], ...] = ()  # (stage, seconds) in order: `build -v`
    warnings: tuple[SiteError, ...] = ()  # what `check` would say of what was published
    editions: tuple[Site, ...] = ()  # each language's site, `site` first
    assembled: Editions | None = None  # what `editions` were assembled as (editions.py)
    pictures: Mapping[str, Measured] = dataclasses.field(default_factory=dict)  # measured

    @property
    def posts(self) -> int:
        """The posts published, in every language."""
        return sum(len(edition.posts) for edition in self.editions) or len(self.site.posts)


class Engine(Protocol):
    """How `build` runs its costly stages: journeyblog.engine.Incremental, which remembers
    what it can of the last build and spreads the work over processes. It decides nothing
    of what is published; `build` calls it in this order, once each."""

    def read(self, site_dir: Path) -> tuple[SiteSources, list[SiteError]]:
        """The site's files and the problems reading them, as sources.discover gives them."""
        ...

    def measure(self, content: Path, paths: Sequence[str], max_pixels: int) -> dict[str, Measured]:
        """pictures.measure_all of `paths` under `content`."""
        ...

    def markdown(self, config: SiteConfig) -> Callable[[Sequence[str]], list[Rendered]]:
        """How Markdown bodies are rendered: each as markdown.render_markdown renders it."""
        ...

    def current(self, planned: Sequence[Job], keys: Sequence[str]) -> set[str]:
        """The paths of the `planned` files (each made under its key of `keys`) that the last
        output holds as they would be made now: taken over by `make`."""
        ...

    def make(
        self, auditor: Auditor, *, themes: Sequence[Path], slow: Collection[str], precompress: bool
    ) -> Iterable[Output]:
        """Each planned file, in order: taken over, or made (with its compressed copies if
        `precompress`) and audited by `auditor` where it is made. `slow`: the paths of files
        each worth a worker of its own."""
        ...

    def copied(self, outputs: Iterable[Output], *, precompress: bool) -> Iterable[Output]:
        """The files copied as they are, with their compressed copies if `precompress`."""
        ...

    def write(self, outputs: AuditedOutputs, out_dir: Path) -> WriteReport:
        """Write every output into out_dir, replacing what it held (engine.write): after
        `outputs.finish`, so that a leak found stops the build with nothing written."""
        ...


def build(options: BuildOptions, engine: Engine) -> BuildResult:
    """Build the site into options.output, stage by stage; raise BuildFailed, with nothing
    written, on any error. `engine` runs the stages that read, render and write."""
    clock = _Stopwatch()
    config = load_config(options.site_dir, base_url=options.base_url)
    _check_audience(config, options.audience, options.site_dir)
    check_output_dir(options)
    now = options.now or datetime.now(UTC)

    sources, errors = engine.read(options.site_dir)
    pictures = engine.measure(
        options.site_dir / "content", picture_paths(sources), config.max_image_pixels
    )
    clock.lap("read sources")

    selection = Selection(
        now=now, audience=options.audience, drafts=options.drafts, future=options.future
    )
    editions, site_errors = assemble_editions(
        config,
        sources,
        selection=selection,
        render_bodies=engine.markdown(config),
        pictures=pictures,
    )
    site = editions.whole  # every language's posts, pages and shared files
    warnings = publishable(
        config, editions, sources, pictures, [*errors, *site_errors], strict=options.strict
    )
    clock.lap("assemble the site (Markdown included)")

    themes = theme_dirs(options.site_dir, config.theme)
    planned, keys, copies = plan_files(editions, config, options, themes, pictures)
    copied = assets(site, sources, themes, made=copies)
    del sources  # every body as written: not held while the files are made
    current = engine.current(planned, keys)
    clock.lap("plan every file and its key")

    auditor = Auditor(
        site.withheld,
        lambda: published_text(site, lambda: discover(options.site_dir)[0], themes, config),
        published_slugs=published_names(site),
        own_url=site.info.base_url,
        few_outputs=len(planned) - len(current) < FEW_OUTPUTS,
        pictures=withheld_pictures(site, options.site_dir),
    )
    made = engine.make(auditor, themes=themes, slow=copies, precompress=config.precompress)
    out_dir = options.output.absolute()
    outputs = AuditedOutputs(
        [made, engine.copied(copied, precompress=config.precompress)],
        auditor,
        out_dir,
        lambda found: where_named(found, site, lambda: discover(options.site_dir)[0]),
    )
    try:
        report = engine.write(outputs, out_dir)
    except jinja2.TemplateError as error:
        raise BuildFailed([template_error(error, themes)]) from None
    write_manifest(
        options.manifest_path, manifest(site, now=now, cutoff=None if options.future else now)
    )
    clock.lap("make, audit and write the files")

    return BuildResult(
        site=editions.sites[0],
        editions=editions.sites,
        assembled=editions,
        pictures=pictures,
        pages=outputs.pages,
        feeds=outputs.feeds,
        files=outputs.files,
        report=report,
        manifest=options.manifest_path,
        rendered=len(outputs.made),
        made=tuple(outputs.made),
        reused=outputs.reused,
        seconds=clock.total,
        stages=tuple(clock.laps),
        warnings=tuple(warnings),
    )


# Fewer files than this to make and the audit builds the automaton that is quicker to build
# than to search with (audit.Auditor's `few_outputs`).
FEW_OUTPUTS = 500


def publishable(
    config: SiteConfig,
    editions: Editions,
    sources: SiteSources,
    pictures: Mapping[str, Measured],
    errors: list[SiteError],
    *,
    strict: bool,
) -> list[SiteError]:
    """The warnings of what the site publishes; BuildFailed with every error (and with the
    warnings too, if `strict`)."""
    errors = [
        *errors,
        *unpublishable(
            sources.site_dir / "content",
            published_files(editions.whole, sources),
            pictures,
            max_pixels=config.max_image_pixels,
        ),
    ]
    if errors:
        raise BuildFailed(errors)
    by_language = edition_sources(sources, config)
    warnings = sorted(
        {
            warning
            for edition in editions.sites
            for warning in build_warnings(
                edition, by_language.get(edition.info.language, sources), pictures=pictures
            )
        },
        key=SiteError.sort_key,
    )
    if strict and warnings:
        raise BuildFailed(warnings)
    return warnings


def plan_files(
    editions: Editions,
    config: SiteConfig,
    options: BuildOptions,
    themes: Sequence[Path],
    measured: Mapping[str, Measured],
    *,
    templates: Path | None = None,
    pages: bool = True,
) -> tuple[list[Job], list[str], set[str]]:
    """Every file the build makes but the copied assets, each with the key it is recorded
    under (`_stored_key`), and the paths of the pictures' copies among them. Without
    `pages`, all but the pages (`edition_pages` plans those, unkeyed)."""
    cache_dir = options.site_dir / CACHE_DIR if options.cache else None
    if templates is None and cache_dir is not None:
        templates = cache_dir / "templates"  # compiled templates, kept between builds
    site = editions.whole
    pictures = picture_jobs(site, options.site_dir, cache_dir, measured=measured)
    planned: list[Job] = []
    keys: list[str] = []  # the site-wide fingerprint each planned file's key adds to
    for edition in editions.sites:
        edition_jobs, edition_key = _edition_jobs(
            edition, editions, config, options, themes, templates, cache_dir, pictures, pages=pages
        )
        planned += edition_jobs
        keys += [edition_key] * len(edition_jobs)
    site_key = site_fingerprint(site, config, site_language(config, options.site_dir, themes))
    if config.bilingual:
        shared = root_jobs(editions, themes, templates)
        planned += shared
        keys += [site_key] * len(shared)
    planned += pictures
    keys += [site_key] * len(pictures)
    stored = [_stored_key(key, job) for key, job in zip(keys, planned, strict=True)]
    return planned, stored, {job.path for job in pictures}


def site_language(config: SiteConfig, site_dir: Path, themes: Sequence[Path]) -> Language:
    """The site's language, its messages from the themes' catalogs and then the site's own."""
    try:
        return load_language(config.language, [*reversed(themes), site_dir])
    except CatalogError as error:
        raise BuildFailed([error.error]) from None


def site_fingerprint(site: Site, config: SiteConfig, language: Language | None = None) -> str:
    """What every page may see besides what its own key covers: settings and site info.

    Each page's key covers its context, the templates it loaded and the Site values it
    read, as its rendering read them (render._Renderer.read_key), so editing one post
    re-renders only the pages that show it. The withheld posts are here because the audit
    of a reused file was done against them: a change in what is withheld re-makes, and so
    re-audits, everything.
    """
    withheld = sorted(
        f"{os.path.abspath(item.source)}:{item.reason}:{item.whole_post}" for item in site.withheld
    )
    said = language.digest if language else ""
    return digest((VERSIONS, repr(config), repr(site.info), said, *withheld))


def _edition_jobs(
    edition: Site,
    editions: Editions,
    config: SiteConfig,
    options: BuildOptions,
    themes: Sequence[Path],
    templates: Path | None,
    cache_dir: Path | None,
    pictures: Sequence[Job],
    *,
    pages: bool = True,
) -> tuple[list[Job], str]:
    """One language's pages, feeds, search, cards and books, under its folder, and the
    site-wide fingerprint their keys add to. Without `pages`, all but the pages
    (`edition_pages` plans those)."""
    language_config = edition_config(config, edition.info.language)
    language = site_language(language_config, options.site_dir, themes)
    social, cards = social_images(
        edition, options.site_dir, themes, cache=options.cache, language=language
    )
    prints = Fingerprints()  # one for books, pages and feeds: each post digested once
    books = series_books(
        edition,
        options.site_dir,
        themes,
        cache_dir,
        pictures=pictures,
        language=language,
        versions=VERSIONS,
        fingerprints=prints,
    )
    versions = editions.versions.get(edition.info.language, {})
    # Books first: a series' feed states its book's length, known once it is made.
    jobs = [
        *(book.job for book in books),
        *site_jobs(
            edition,
            language_config,
            themes,
            social,
            templates,
            books,
            language,
            versions,
            pages=pages,
            fingerprints=prints,
        ),
        *cards,
    ]
    placed = in_edition_folder(jobs, language_config, edition is editions.sites[0])
    return placed, site_fingerprint(edition, language_config, language)


_Placed = TypeVar("_Placed", Job, PageSpec)


def in_edition_folder(items: Sequence[_Placed], config: SiteConfig, default: bool) -> list[_Placed]:
    """One language's files where a bilingual site puts them: under the language's folder
    (`edition_config(config, language).language_path`, as `config` is), but for the sitemap
    and robots.txt (made once for every language, at the root: root_jobs) and for the
    default language's 404 page, there too, where servers look for it."""
    if not config.bilingual:
        return list(items)
    folder: str = config.language_path
    placed = [
        dataclasses.replace(item, path=folder + item.path)
        for item in items
        if item.path not in ("sitemap.xml", "robots.txt")
    ]
    placed += [item for item in items if folder and default and item.path == "404.html"]
    return placed


def edition_pages(
    edition: Site,
    editions: Editions,
    config: SiteConfig,
    site_dir: Path,
    themes: Sequence[Path],
    env: Environment,
    language: Language,
    kept: Kept | None = None,
) -> list[PageSpec]:
    """One language's pages, unkeyed, where the build puts them: render each with
    render.render_page and the templates of `env`, which speaks `language`.
    `kept`: what the last call for this language made (kept.Kept)."""
    language_config = edition_config(config, edition.info.language)
    social = previews(edition, site_dir, language, kept=kept and kept.part("previews"))
    versions = editions.versions.get(edition.info.language, {})
    try:
        specs = page_specs(
            edition, env, social, language, versions, kept=kept and kept.part("pages")
        )
    except jinja2.TemplateError as error:
        raise BuildFailed([template_error(error, themes)]) from None
    return in_edition_folder(specs, language_config, edition is editions.sites[0])


def root_jobs(editions: Editions, themes: Sequence[Path], templates: Path | None) -> list[Job]:
    """A bilingual site's files at its root: the sitemap of every language with each page's
    versions, robots.txt, and a page to choose a language unless the default language's
    home is the root."""
    return root_pages(
        editions.whole, editions.sites, editions.versions, make_environment(themes, templates)
    )


def site_jobs(
    site: Site,
    config: SiteConfig,
    themes: Sequence[Path],
    social: Mapping[str, SocialImage],
    template_cache: Path | None = None,
    books: Sequence[Book] = (),
    language: Language | None = None,
    versions: Mapping[str, tuple[Alternate, ...]] | None = None,
    *,
    pages: bool = True,
    fingerprints: Fingerprints | None = None,
) -> list[Job]:
    """Every page (unless not `pages`), feed and search file of the site, each with the key
    of what it shows (digested with `fingerprints`, if given, shared with other keys).

    `versions` are a bilingual site's pages in each language, by path (editions.py).

    A series' Atom feed offers its EPUB (`books`) with the EPUB's length.

    Compiled templates are kept in `template_cache` when given, so a build compiles only
    the templates that changed.
    """
    prints = fingerprints or Fingerprints()
    if template_cache is not None:
        try:
            template_cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            template_cache = None  # a read-only site folder only costs the compiling
    env = make_environment(themes, template_cache, language)
    try:
        page_files = page_jobs(site, env, social, prints, language, versions) if pages else []
    except jinja2.TemplateError as error:
        raise BuildFailed([template_error(error, themes)]) from None
    feeds = feed_jobs(
        site,
        feed_scopes(site, config.feed_size, language),
        websub_hub=config.websub_hub,
        fingerprints=prints,
        enclosures={f"series/{book.series}/": book.enclosure for book in books},
    )
    feeds += syndication_jobs(
        site, config.syndication, config.feed_size, config.websub_hub, prints, language
    )
    searches = search_jobs(site, config, language or english(), prints)
    return [*page_files, *searches, *feeds]


def search_jobs(
    site: Site, config: SiteConfig, language: Language, prints: Fingerprints
) -> list[Job]:
    """The search index: whole, or in chunks above `search_chunks_above` posts."""
    posts = site.posts
    if len(posts) <= config.search_chunks_above:
        return [
            Job(
                INDEX_PATH,
                prints.of(posts),
                functools.partial(search_index, posts, language=language),
            )
        ]
    # The word chunks are cut together, here: a chunk's key is what it holds, so an edit
    # makes again only the chunks it changed (search._firsts keeps the others' words in place).
    words = word_chunks(posts)
    jobs = []
    for path in chunked_paths(len(posts)):
        if path.startswith(SEARCH_FOLDER + "posts/"):
            number = int(path.rsplit("/", 1)[1].removesuffix(".json"))
            shown = posts[number * POSTS_PER_CHUNK : (number + 1) * POSTS_PER_CHUNK]
            make = functools.partial(posts_chunk, posts, number, language=language)
            jobs.append(Job(path, prints.of(shown, bodies=False), make))
        else:
            jobs.append(Job(path, words.key(path), functools.partial(words.file, path)))
    return jobs


class _Stopwatch:
    """Seconds spent in each stage, for `journeyblog build -v` and for profiling by eye."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._started = self._last = time.perf_counter()

    @property
    def total(self) -> float:
        return time.perf_counter() - self._started

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps.append((stage, now - self._last))
        self._last = now


def _stored_key(site_key: str, job: Job) -> str:
    """The key recorded for a file: its own, joined with the site's unless it stands alone."""
    return digest((site_key, job.key)) if job.site_wide else digest((VERSIONS, job.key))


FEED_NAMES = tuple(FILE_NAMES.values())


class AuditedOutputs:
    """The stream of outputs on its way to the writer: each audited (here, unless it was
    where it was made, or by this same audit when it was made before), counted, its path
    unique. `finish` refuses the build if the audit found a leak."""

    def __init__(
        self,
        parts: Sequence[Iterable[Output]],
        auditor: Auditor,
        out_dir: Path,
        locate: Callable[[Sequence[Finding]], list[SiteError]] = lambda found: [],
    ) -> None:
        """`locate`: the lines of the sources that put the findings there, if it can tell."""
        self._parts = parts
        self._auditor = auditor
        self._out_dir = out_dir
        self._locate = locate
        self.digests: dict[str, str] = {}  # path -> its bytes' digest, where known
        self.paths: set[str] = set()  # where each output went, normalised
        self.folders: set[str] = set()  # the folders that hold them: no file may be one
        self.pages = self.feeds = self.files = 0
        self.made: list[str] = []
        self.reused = 0

    def __iter__(self) -> Iterator[Output]:
        try:
            yield from self._checked()
        finally:
            # Closed early (a failure or Ctrl-C in the writer), stop the workers making files.
            for part in self._parts:
                if isinstance(part, Generator):
                    part.close()

    def _checked(self) -> Iterator[Output]:
        for output in chain.from_iterable(self._parts):
            place = posixpath.normpath(output.path)  # "a/./b" is where "a/b" is
            folders = _folders_of(place)
            if place in self.paths or place in self.folders or not folders.isdisjoint(self.paths):
                raise BuildFailed(
                    [
                        SiteError(
                            self._out_dir / output.path,
                            None,
                            "two outputs would be written here (rename a page, tag or alias)",
                        )
                    ]
                )
            self.paths.add(place)
            self.folders.update(folders)
            if output.digest is not None:
                self.digests[output.path] = output.digest
            if not output.audited:
                self._auditor.scan(output)
            if output.reused:
                self.reused += 1
            elif output.data is not None or output.staged is not None:
                self.made.append(output.path)
            self.files += 1
            if output.path.endswith(".html"):
                self.pages += 1
            elif output.path.endswith(SUFFIXES):
                pass  # a compressed copy: a file, not another page or feed
            elif output.path.endswith(FEED_NAMES) or "/syndication/" in "/" + output.path:
                self.feeds += 1
            yield output

    def finish(self) -> None:
        """Called by the writer before the swap: a leak stops the build here."""
        findings = self._auditor.findings
        if findings:
            raise BuildFailed(
                [
                    *self._locate(findings),
                    *(
                        SiteError(self._out_dir / f.output, None, str(f).split(": ", 1)[1])
                        for f in findings
                    ),
                ]
            )


def _folders_of(path: str) -> set[str]:
    """ "a/b/c.html" -> {"a", "a/b"}."""
    parts = path.split("/")[:-1]
    return {"/".join(parts[: count + 1]) for count in range(len(parts))}


def template_error(error: jinja2.TemplateError, themes: Sequence[Path]) -> SiteError:
    message = f"template: {error.message} (fix the template)"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return SiteError(Path(error.filename or error.name or "?"), error.lineno, message)
    where = _template_line(error, themes)
    if where is not None:
        return SiteError(where[0], where[1], message)
    return SiteError(themes[0], None, message)


def _template_line(error: BaseException, themes: Sequence[Path]) -> tuple[Path, int] | None:
    """The template file and line an error was raised at while rendering, if known.

    Jinja rewrites the traceback of an error raised by a template so that its frames are the
    templates' own files and lines: the innermost frame in a theme's folder is where.
    """
    roots = [theme.absolute() for theme in themes]
    found = None
    trace = error.__traceback__
    while trace is not None:
        path = Path(trace.tb_frame.f_code.co_filename)  # relative if the site folder is
        if any(path.absolute().is_relative_to(root) for root in roots):
            found = (path, trace.tb_lineno)
        trace = trace.tb_next
    return found


def check(
    site_dir: Path,
    *,
    now: datetime | None = None,
    audience: str | None = None,
    drafts: bool = False,
    future: bool = False,
) -> list[SiteError]:
    """Every validation of a build, writing nothing; return the warnings.

    Raises BuildFailed with every error. Posts of every level, drafts and future posts are
    checked, so a problem in an internal post is found before an internal build; links are
    checked as the build with these options (`audience`, `drafts`, `future`) would publish.
    """
    config = load_config(site_dir)
    _check_audience(config, audience, site_dir)
    now = now or datetime.now(UTC)
    sources, errors = discover(site_dir)
    measured = measure_all(
        site_dir / "content", picture_paths(sources), max_pixels=config.max_image_pixels
    )
    everything = Selection(now=now, audience=config.security_levels[-1], drafts=True, future=True)
    every, site_errors = assemble_editions(config, sources, selection=everything, pictures=measured)
    full = every.whole
    errors += site_errors
    errors += unpublishable(
        site_dir / "content",
        published_files(full, sources),
        measured,
        max_pixels=config.max_image_pixels,
    )
    # `check` decodes every picture the build would copy, so a damaged one is named here,
    # every one of them, and not only by the build that fails on the first.
    errors += damaged(site_dir / "content", published_files(full, sources), measured)
    if errors:
        raise BuildFailed(errors)
    # Links are checked as the configured audience reads them: a public post linking to an
    # internal one is a broken link in the public build.
    selection = Selection(now=now, audience=audience, drafts=drafts, future=future)
    published, errors = assemble_editions(config, sources, selection=selection, pictures=measured)
    if errors:  # links to what this audience does not get
        raise BuildFailed(errors)
    themes = theme_dirs(site_dir, config.theme)
    by_language = edition_sources(sources, config)
    warnings = [
        *(
            warning
            for whole, shown in zip(every.sites, published.sites, strict=True)
            for warning in site_warnings(
                whole, by_language[whole.info.language], shown, pictures=measured
            )
        ),
        *(  # posts and pages without their twins
            dataclasses.replace(problem, message="warning: " + problem.message)
            for problem in published.untranslated
        ),
    ]
    for language in config.languages or (config.language,):
        said = site_language(edition_config(config, language), site_dir, themes)
        warnings += untranslated_warnings(said, themes)
    return list(dict.fromkeys(warnings))


def untranslated_warnings(language: Language, themes: Sequence[Path]) -> list[SiteError]:
    """Each message of the interface that the site's language has no translation of."""
    name = language.locale.english_name or language.tag
    file = f"{LOCALES}/{language.locale.language}.po"
    return [
        SiteError(path, line, f"no {name} translation of '{msgid}' (add it to {file})")
        for path, line, msgid in untranslated(
            language, interface_messages([folder / "templates" for folder in themes])
        )
    ]


def audit_output(
    out_dir: Path,
    site_dir: Path,
    *,
    audience: str | None = None,
    now: datetime | None = None,
    manifest: Path | None = None,
    drafts: bool = False,
    future: bool = False,
) -> list[str]:
    """Audit an existing output folder against the site's sources, as built with `drafts`
    and `future` (build's options) or without; return the findings."""
    config = load_config(site_dir)
    _check_audience(config, audience, site_dir)
    recorded = _manifest_cutoff(manifest or manifest_beside(out_dir))
    cutoff = now or recorded or datetime.now(UTC)
    sources, errors = discover(site_dir)
    measured = measure_all(
        site_dir / "content", picture_paths(sources), max_pixels=config.max_image_pixels
    )
    editions, site_errors = assemble_editions(
        config,
        sources,
        selection=Selection(now=cutoff, audience=audience, drafts=drafts, future=future),
        pictures=measured,
    )
    site = editions.whole
    if errors or site_errors:
        raise BuildFailed([*errors, *site_errors])
    outputs = [
        Output(path.relative_to(out_dir).as_posix(), path.read_bytes())
        for path in sorted(out_dir.rglob("*"))
        if path.is_file()
    ]
    themes = theme_dirs(site_dir, config.theme)
    findings = audit_outputs(
        outputs,
        site.withheld,
        published_text="\n".join(published_text(site, lambda: sources, themes, config)),
        published_slugs=published_names(site),
        own_url=site.info.base_url,
    )
    return [str(finding).replace("; nothing was written", "") for finding in findings]


def _manifest_cutoff(manifest_path: Path) -> datetime | None:
    try:
        document = json.loads(manifest_path.read_text(encoding="utf-8"))
        return datetime.fromisoformat(document["cutoff"]) if document.get("cutoff") else None
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def assets(
    site: Site, sources: SiteSources, themes: Sequence[Path], *, made: Collection[str] = ()
) -> list[Output]:
    """Theme static files, then content/images/ and static/ (a site's file wins over a theme's).

    An image referenced only by posts this build does not publish is not copied, nor is a
    file of `made` (the output paths of the pictures' copies, which take their places).
    """
    by_path: dict[str, Output] = {}
    for theme in reversed(themes):
        static = theme / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    relative = path.relative_to(static).as_posix()
                    by_path[relative] = Output(relative, source=path)
    withheld_images = {path for item in site.withheld for path in item.image_paths}
    # Which images published posts show matters only for an image a withheld post shows too.
    published_images = _published_images(site) if withheld_images else set()
    content_images = sources.site_dir / "content" / "images"
    for image in sources.images:
        relative = "images/" + PurePosixPath(*image.parts).as_posix()
        if relative in withheld_images and relative not in published_images:
            continue
        by_path[relative] = Output(relative, source=content_images / image)
    for file, output in site.files:  # shown or linked from beside a post (places.py)
        by_path[output] = Output(output, source=sources.site_dir / "content" / file)
    for path in sources.static:
        relative = PurePosixPath(*path.parts).as_posix()
        by_path[relative] = Output(relative, source=sources.site_dir / "static" / path)
    return [output for path, output in by_path.items() if path not in made]


def picture_paths(sources: SiteSources) -> list[str]:
    """Every file that may be a picture of the site, relative to content/: those of
    content/images/ and those beside the posts and pages."""
    return [*_content_images(sources), *(PurePosixPath(*p.parts).as_posix() for p in sources.files)]


def published_files(site: Site, sources: SiteSources) -> list[str]:
    """The files of content/ the site may publish, relative to it: all of content/images/,
    and the files beside posts that published posts show or link to."""
    return [*_content_images(sources), *(file for file, _ in site.files)]


def _content_images(sources: SiteSources) -> list[str]:
    """The files of content/images/, relative to content/ ("images/map.jpg")."""
    return ["images/" + PurePosixPath(*path.parts).as_posix() for path in sources.images]


def withheld_pictures(site: Site, site_dir: Path) -> list[tuple[bytes, Withheld]]:
    """The bytes of every picture under content/images/ that only withheld posts show: the
    audit looks for them under any name."""
    if not any(item.image_paths for item in site.withheld):
        return []
    shown = _published_images(site)
    pictures = []
    for item in site.withheld:
        for image in item.image_paths:
            path = site_dir / "content" / image
            if image not in shown and path.is_file():
                pictures.append((path.read_bytes(), item))
    return pictures


def _published_images(site: Site) -> set[str]:
    """The site paths ("images/x.png") of the pictures published posts show."""
    documents: list[Post | Page] = [*site.posts, *site.pages]
    shown = {url for document in documents for url in document.images}
    shown.update(post.image for post in site.posts if post.image)
    return {unquote(urlsplit(url).path).removeprefix(site.info.base_path) for url in shown}


def manifest(site: Site, *, now: datetime, cutoff: datetime | None) -> bytes:
    """What this build published, for the record kept beside the output: every published
    post, and how many were withheld for each reason (never which)."""
    reasons = Counter(item.reason for item in site.withheld if item.whole_post)
    document = {
        "generator": "journeyblog",
        "built_at": now.isoformat(),
        "audience": site.info.audience.name,
        "cutoff": cutoff.isoformat() if cutoff else None,
        "published": [
            {"id": post.id, "level": post.level.name, "url": post.permalink}
            for post in sorted(site.posts, key=lambda post: post.id)
        ],
        "excluded": {reason: reasons.get(reason, 0) for reason in ("level", "draft", "future")},
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_manifest(path: Path, data: bytes) -> None:
    """Replace the manifest at `path` in one rename, as the output is replaced."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def published_names(site: Site) -> set[str]:
    """The names a published post's address or id gives ("posts/<name>"): the audit never
    takes them for a withheld post's of the same name."""
    names = {post.slug for post in site.posts}
    names.update(name for post in site.posts for name in re.findall(r"posts/([^/\s]+)", post.id))
    return names


def where_named(
    findings: Sequence[Finding], site: Site, read_sources: Callable[[], SiteSources]
) -> list[SiteError]:
    """The lines of the published sources that name the address of a post the audit found
    in the output (a link the link check did not read as one: a bare address, a canonical,
    raw HTML), so that a refused build says what to change, not only which file held it."""
    found = {finding.canary.lower(): finding for finding in findings if finding.what == ADDRESS}
    if not found:
        return []
    named = re.compile(
        r"[/\\](" + "|".join(re.escape(slug) for slug in sorted(found)) + r")(?![\w-])", re.I
    )
    documents: list[Post | Page] = [*site.posts, *site.pages]
    published = {document.source for document in documents}
    sources = read_sources()
    errors = []
    for source in (*sources.posts, *sources.pages):
        if source.path not in published:
            continue
        lines = [
            *((source.line(key), str(value)) for key, value in source.meta.items()),
            *enumerate(source.body.split("\n"), start=source.body_line),
        ]
        for line, text in lines:
            for match in named.finditer(text):
                finding = found[match[1].lower()]
                errors.append(
                    SiteError(
                        source.path,
                        line,
                        f"names the address of {finding.source.name}, which this build"
                        f" withholds ({finding.reason}): remove it or raise this post's level",
                    )
                )
    return sorted(set(errors), key=SiteError.sort_key)


def published_text(
    site: Site,
    read_sources: Callable[[], SiteSources],
    themes: Sequence[Path],
    config: SiteConfig,
) -> Iterator[str]:
    """Everything a published page may legitimately say, piece by piece: the audit ignores
    canaries found here. What outputs repeat most (the search index's words, the rendered
    bodies) comes first, as the audit stops reading once every canary is accounted for.
    A body as written comes without the blocks it keeps back from this audience."""
    documents: list[Post | Page] = [*site.posts, *site.pages]
    yield from (post.search_words for post in site.posts)
    # As shown: runs of words are compared with the rendered text.
    yield from (str(document.html) for document in documents)
    published = {document.source for document in documents}
    sources = read_sources()  # read again only if it comes to that
    levels = security_levels(config.security_levels)
    for source in (*sources.posts, *sources.pages):
        if source.path in published:
            yield _published_body(source.body, site.info.audience, levels, config)
            yield "\n".join(texts_in(dict(source.meta), scalars=True))
    yield "\n".join(texts_in(dict(sources.authors.data), scalars=True))
    yield "\n".join(texts_in(dict(sources.series.data), scalars=True))
    yield f"{site.info.title}\n{site.info.description}"
    for theme in themes:
        for template in sorted((theme / "templates").rglob("*")):
            if template.is_file():
                yield template.read_text(encoding="utf-8", errors="replace")


def _published_body(
    body: str, audience: SecurityLevel, levels: Sequence[SecurityLevel], config: SiteConfig
) -> str:
    """A body as written, less the blocks it keeps back from `audience` and its notes."""
    if "<!--" not in body:  # nothing kept back, no note: as written
        return body
    kept, _, _ = strip_level_blocks(
        body, audience=audience, levels=levels, raw_html=config.allow_raw_html
    )
    return kept


def check_audience(site_dir: Path, audience: str | None) -> None:
    """OptionInvalid if the site has no level `audience` (its config's errors: BuildFailed)."""
    if audience is not None:
        _check_audience(load_config(site_dir), audience, site_dir)


def _check_audience(config: SiteConfig, audience: str | None, site_dir: Path) -> None:
    """An --audience the site has no level of is a usage error, named as the option."""
    if audience is not None and audience.strip().lower() not in config.security_levels:
        levels = ", ".join(config.security_levels)
        raise OptionInvalid(
            [SiteError(Path("--audience"), None, f"'{audience}' is not a level (use {levels})")]
        )


def check_output_dir(options: BuildOptions) -> None:
    """Refuse an output folder whose replacement would destroy sources, and a manifest that
    would overwrite a file journeyblog did not write or be published."""
    site_dir, out_dir, manifest = options.site_dir, options.output, options.manifest_path
    site = site_dir.resolve()
    out = out_dir.resolve()
    problem = None
    if out_dir.name in ("", ".", "..") or out == Path(out.anchor):
        problem = "must be a folder of its own, named (write -o output, or a path ending in a name)"
    elif out_dir.is_symlink():
        problem = "is a symbolic link, which the build would replace (write the folder it leads to)"
    elif out == site or site.is_relative_to(out):
        problem = "is the site folder or contains it (choose a folder inside it, such as output/)"
    elif any(out.is_relative_to(site / name) for name in ("content", "static", "themes")):
        problem = "is inside the site's sources (choose one outside content/, static/ and themes/)"
    elif out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not _written_by_us(out_dir))
    ):
        problem = "holds files journeyblog did not write (choose an empty or new folder)"
    if problem:
        raise BuildFailed([SiteError(out_dir, None, f"output folder {problem}")])
    _check_manifest(manifest, out, site)


def _check_manifest(manifest: Path, out: Path, site: Path) -> None:
    """A usage error if writing the manifest at `manifest` would publish it (inside the
    output `out`) or overwrite a file that is not one (a source, the config)."""
    place = manifest.resolve()
    problem = None
    if place.is_relative_to(out):
        # It counts what the build withholds: inside the output, it would be deployed.
        problem = "is inside the output folder, which is published"
    elif any(place.is_relative_to(site / name) for name in ("content", "static", "themes")):
        problem = "is among the site's sources"
    elif manifest.is_dir() or (manifest.exists() and not _is_manifest(manifest)):
        problem = "is a file journeyblog did not write, which the manifest would replace"
    if problem:
        raise OptionInvalid(
            [SiteError(Path("--manifest"), None, f"'{manifest}' {problem} (write it elsewhere)")]
        )


def _is_manifest(path: Path) -> bool:
    """Whether a file is a manifest journeyblog wrote: it begins by saying so."""
    try:
        with path.open("rb") as file:
            return b'"generator": "journeyblog"' in file.read(64)
    except OSError:
        return False


# Where the manifest was written before it moved beside the output: such a folder is ours.
LEGACY_MANIFEST = "publication-manifest.json"


def _written_by_us(out_dir: Path) -> bool:
    """Whether a folder is a journeyblog output: its manifest is beside it (inside it, in
    an output written before the manifest moved out), or it holds the files every build
    writes (an output copied elsewhere, without its manifest)."""
    if _is_manifest(manifest_beside(out_dir)):  # not a --manifest: it says nothing of the folder
        return True
    return (out_dir / LEGACY_MANIFEST).is_file() or all(
        (out_dir / name).is_file() for name in ("sitemap.xml", "robots.txt", "404.html")
    )
