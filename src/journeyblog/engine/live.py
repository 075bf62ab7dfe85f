"""The dev server's site, held in memory between saves.

`LiveSite.build` builds the site into the server's folder as `journeyblog build` does, and
keeps what it read and assembled: the sources, every rendered Markdown body, each language's
Site and the plan of its pages. `LiveSite.update` takes in a save: it reads again only the
files that changed (sources.refreshed), assembles the site again from memory (the
pipeline's own assemble_editions), plans its pages (render.page_specs), and renders nothing
but the pages open in a browser. Every other file is made when it is asked for (`answer`):

- a page, when what its rendering read has changed since it was made: its template, its
  context, or a value of the Site its templates read, recorded as they read it (SiteReads);
- a feed, a search file, a card or a book, when its key (build.plan_files) is not the one it
  was made under;
- the rest (assets, pictures' copies) is the folder's. A change that would change them (a
  picture, a static file, a theme, the config) is one only a whole build takes in: `update`
  returns None, and the server builds again.

Safety does not rest on any of this: every file is audited against what the current site
withholds before it is served (audit.Auditor.leaks), and one that would show withheld text
is refused.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, cast

from jinja2 import Environment, TemplateError

from journeyblog.audit import Auditor
from journeyblog.build import (
    BuildOptions,
    BuildResult,
    assets,
    build,
    collecting_rarely,
    edition_pages,
    markdown_renderer,
    picture_paths,
    plan_files,
    published_files,
    published_text,
    site_language,
    template_error,
    withheld_pictures,
)
from journeyblog.cache import CACHE_DIR, BuildCache, markdown_key
from journeyblog.config import SiteConfig, load_config
from journeyblog.editions import Editions, assemble_editions, edition_config
from journeyblog.engine.reads import SITE_FIELDS, SiteReads
from journeyblog.errors import BuildFailed, SiteError
from journeyblog.figures import Measured
from journeyblog.i18n import Language
from journeyblog.markdown import render_markdown
from journeyblog.model import Job, Output, Site
from journeyblog.pictures import measure_all, picture_jobs, unpublishable
from journeyblog.render import PageSpec, make_environment, render_page, theme_dirs
from journeyblog.rendered import Rendered
from journeyblog.site import PostChecks, Selection
from journeyblog.sources import SiteSources, discover, refreshed

# What a file of the first build's folder may have read of the Site: all but the cutoff,
# which no page prints (build.site_fingerprint leaves it out too), and what is withheld,
# which the audit reads.
FOLDER_READS = SITE_FIELDS - {"built_at", "withheld"}


@dataclass(frozen=True, slots=True)
class Answer:
    """What the server sends for an output path: `data`; or the folder's file (`folder`);
    or the errors that refused it; or, with none of these, nothing (404)."""

    data: bytes | None = None
    folder: bool = False
    errors: tuple[SiteError, ...] = ()


@dataclass(frozen=True, slots=True)
class _Page:
    site: Site  # its language's
    env: Environment
    spec: PageSpec


@dataclass(frozen=True, slots=True)
class _Made:
    """A file made (or taken from the folder) in this session, and what it was made from."""

    data: bytes
    audited: str  # the digest of the audit that passed it ("" if none yet)
    spec: PageSpec | None = None
    site: Site | None = None
    reads: frozenset[str] = frozenset()
    key: str | None = None  # a file but a page: its key (build._stored_key)


@dataclass(slots=True)
class _State:
    """One assembled site and the plan of its pages; its other files planned when first
    asked for."""

    sources: SiteSources
    editions: Editions
    now: datetime
    pages: Mapping[str, _Page]
    auditor: Auditor
    copied: tuple[object, ...]  # what decides the folder's own files (assets, pictures)
    others: dict[str, tuple[Job, str]] | None = None
    same: dict[tuple[int, int, str], bool] = field(default_factory=dict)


class LiveSite:
    """The site as the dev server holds it; see the module's docstring.

    `build` and `update` are called from one thread; `answer` from any.
    """

    def __init__(self, options: BuildOptions, *, builder: Builder = build) -> None:
        self.options = options
        self._builder = builder
        self._lock = threading.RLock()
        self._bodies: dict[str, Rendered] = {}  # Markdown -> its rendering, held
        self._used: set[str] = set()
        self._state: _State | None = None
        self._first: _State | None = None  # what the folder's files were made from
        self._made: dict[str, _Made] = {}
        self._recorded: dict[str, str] = {}  # the folder's files but pages -> their keys
        self._folder_only: frozenset[str] = frozenset()
        self._languages: dict[str, tuple[Environment, Language]] = {}
        self._config: SiteConfig | None = None
        self._themes: tuple[Path, ...] = ()
        self._measured: Mapping[str, Measured] = {}
        self.rendered = 0  # pages rendered since the last whole build
        self._checks: PostChecks = {}  # each post file's check (site.assemble)

    @property
    def ready(self) -> bool:
        """Whether a build has succeeded, so that a save can be taken in from memory."""
        return self._state is not None

    # ------------------------------------------------------------ whole builds

    def build(self) -> BuildResult:
        """Read and build the whole site into the folder, and hold it."""
        options = self.options
        site_dir = options.site_dir
        config = load_config(site_dir, base_url=options.base_url)
        with BuildCache(self._cache_dir) as cache:
            sources, errors = discover(site_dir, remembered=cache)
        if errors:
            raise BuildFailed(errors)
        self._bodies = {}
        self._checks = {}
        self._config = config
        now = options.now or datetime.now(UTC)
        result = self._builder(
            dataclasses.replace(options, now=now), sources=sources, render_bodies=self._render
        )
        assert result.assembled is not None
        self._themes = theme_dirs(site_dir, config.theme)
        self._languages = {}
        self._measured = measure_all(
            site_dir / "content",
            picture_paths(sources),
            max_pixels=config.max_image_pixels,
            memo=self._cache_dir / "pictures" / "measured.json" if self._cache_dir else None,
        )
        state = self._assembled(sources, result.assembled, now, None)
        site = result.assembled.whole
        copies = picture_jobs(site, site_dir, self._cache_dir, measured=self._measured)
        with BuildCache(self._cache_dir) as cache:
            recorded = cache.fingerprints(str(options.output.absolute()))
        with self._lock:
            self._state = self._first = state
            self._made = {}
            self._recorded = {path: entry.key for path, entry in recorded.items()}
            self._folder_only = frozenset(
                {output.path for output in assets(site, sources, self._themes)}
                | {job.path for job in copies}
            )
        self._used = set()
        self.rendered = 0
        return result

    @property
    def _cache_dir(self) -> Path | None:
        return self.options.site_dir / CACHE_DIR if self.options.cache else None

    # ------------------------------------------------------------ saves

    def update(self, changed: Collection[Path], open_pages: Collection[str] = ()) -> int | None:
        """Take in the files `changed` since; None if only a whole build can (`build`).

        Makes those of `open_pages` (output paths: "posts/x/index.html") that changed and
        returns how many it made. Raises BuildFailed, and keeps the site as it was, if the
        site now has errors or an open page would show withheld text.
        """
        with collecting_rarely():
            return self._update(changed, open_pages)

    def _update(self, changed: Collection[Path], open_pages: Collection[str]) -> int | None:
        state, config = self._state, self._config
        assert state is not None and config is not None, "build() first"
        fresh = refreshed(state.sources, changed)
        if fresh is None:
            return None
        sources, errors = fresh
        now = datetime.now(UTC)
        options = self.options
        selection = Selection(
            now=now, audience=options.audience, drafts=options.drafts, future=options.future
        )
        self._used = set()
        editions, problems = assemble_editions(
            config,
            sources,
            selection=selection,
            render_bodies=self._render,
            pictures=self._measured,
            checks=self._checks,
        )
        errors += problems
        if not errors:
            errors += unpublishable(
                options.site_dir / "content",
                published_files(editions.whole, sources),
                self._measured,
                max_pixels=config.max_image_pixels,
            )
        if errors:
            raise BuildFailed(errors)
        new = self._assembled(sources, editions, now, state)
        assert self._first is not None
        if new.copied != self._first.copied:
            return None  # a picture or a file beside a post published or withheld now
        made: dict[str, _Made] = {}
        before = self.rendered
        with self._lock:
            for path in open_pages:
                if path in new.pages:
                    self._page(new, path, made)
            self._state = new
            self._made.update(made)
        self._bodies = {text: body for text, body in self._bodies.items() if text in self._used}
        return self.rendered - before

    def answer(self, path: str) -> Answer:
        """The current bytes of the output at `path` ("posts/x/index.html")."""
        with self._lock:
            state = self._state
            if state is None:
                return Answer(folder=True)
            try:
                if path in state.pages:
                    return Answer(self._page(state, path, self._made))
                if path in self._folder_only:
                    return Answer(folder=True)
                others = self._others(state)
                if path in others:
                    return Answer(self._other(state, path, others[path]))
            except BuildFailed as failure:
                return Answer(errors=tuple(failure.errors))
            return Answer()

    # ------------------------------------------------------------ the plan

    def _assembled(
        self, sources: SiteSources, editions: Editions, now: datetime, last: _State | None
    ) -> _State:
        config = self._config
        assert config is not None
        site_dir = self.options.site_dir
        pages: dict[str, _Page] = {}
        for edition in editions.sites:
            env, language = self._language(edition.info.language)
            for spec in edition_pages(
                edition, editions, config, site_dir, self._themes, env, language
            ):
                pages[spec.path] = _Page(edition, env, spec)
        site = editions.whole
        if last is not None and last.editions.whole.withheld == site.withheld:
            auditor = last.auditor
        else:
            themes = self._themes
            auditor = Auditor(
                site.withheld,
                lambda: published_text(site, lambda: sources, themes),
                few_outputs=True,
                pictures=withheld_pictures(site, site_dir),
            )
        copied = (
            frozenset(output.path for output in assets(site, sources, self._themes)),
            site.pictures,
            site.files,
        )
        return _State(sources, editions, now, pages, auditor, copied)

    def _language(self, tag: str) -> tuple[Environment, Language]:
        """Each language's templates and messages, loaded once a whole build."""
        known = self._languages.get(tag)
        if known is None:
            assert self._config is not None
            config = edition_config(self._config, tag)
            language = site_language(config, self.options.site_dir, self._themes)
            known = self._languages[tag] = (
                make_environment(self._themes, None, language),
                language,
            )
        return known

    def _others(self, state: _State) -> dict[str, tuple[Job, str]]:
        if state.others is None:
            assert self._config is not None
            options = dataclasses.replace(self.options, now=state.now)
            jobs, keys, copies = plan_files(
                state.editions, self._config, options, self._themes, self._measured, pages=False
            )
            state.others = {
                job.path: (job, key)
                for job, key in zip(jobs, keys, strict=True)
                if job.path not in copies
            }
        return state.others

    # ------------------------------------------------------------ making files

    def _page(self, state: _State, path: str, into: dict[str, _Made]) -> bytes:
        """The page's bytes: as made before if nothing it read has changed, else made now."""
        page = state.pages[path]
        made = self._made.get(path)
        if made is not None and not self._fresh(state, page, made, made.reads):
            made = None
        if made is None and path not in self._made:
            made = self._from_folder(state, page, path)
        if made is None:
            reads = SiteReads(page.site)
            try:
                template = page.env.get_template(page.spec.template)
                data = render_page(template, cast(Site, reads), page.spec)
            except TemplateError as error:
                raise BuildFailed([template_error(error, self._themes)]) from None
            made = _Made(data, "", page.spec, page.site, frozenset(reads.fields))
            self.rendered += 1
        else:
            # Still current: what it read is the same in this site, so it stands for it.
            made = dataclasses.replace(made, spec=page.spec, site=page.site)
        return self._audited(state, path, made, into)

    def _fresh(self, state: _State, page: _Page, made: _Made, reads: frozenset[str]) -> bool:
        if made.spec is None or made.site is None:
            return False
        if made.spec.template != page.spec.template or made.spec.context != page.spec.context:
            return False
        return all(self._same(state, made.site, page.site, name) for name in reads)

    def _same(self, state: _State, old: Site, new: Site, name: str) -> bool:
        if old is new:
            return True
        key = (id(old), id(new), name)
        known = state.same.get(key)
        if known is None:
            known = state.same[key] = getattr(old, name) == getattr(new, name)
        return known

    def _from_folder(self, state: _State, page: _Page, path: str) -> _Made | None:
        """The first build's file, if it is still what this page would be."""
        first = self._first
        made = first.pages.get(path) if first is not None else None
        if first is None or made is None:
            return None
        was = _Made(b"", first.auditor.digest, made.spec, made.site, FOLDER_READS)
        if not self._fresh(state, page, was, FOLDER_READS):
            return None
        data = self._folder_file(path)
        return dataclasses.replace(was, data=data) if data is not None else None

    def _other(self, state: _State, path: str, planned: tuple[Job, str]) -> bytes:
        job, key = planned
        made = self._made.get(path)
        if made is None or made.key != key:
            data = self._folder_file(path) if self._recorded.get(path) == key else None
            if data is not None and self._first is not None:
                made = _Made(data, self._first.auditor.digest, key=key)
            else:
                try:
                    made = _Made(job.make(), "", key=key)
                except TemplateError as error:
                    raise BuildFailed([template_error(error, self._themes)]) from None
        return self._audited(state, path, made, self._made)

    def _folder_file(self, path: str) -> bytes | None:
        try:
            return (self.options.output / path).read_bytes()
        except OSError:
            return None

    def _audited(self, state: _State, path: str, made: _Made, into: dict[str, _Made]) -> bytes:
        """The file's bytes once the current audit has passed them; BuildFailed if not."""
        digest = state.auditor.digest
        if made.audited != digest:
            leaks = state.auditor.leaks(Output(path, made.data))
            if leaks:
                where = self.options.output / path
                said = [
                    str(leak).split(": ", 1)[1].replace("; nothing was written", "")
                    for leak in leaks
                ]
                raise BuildFailed([SiteError(where, None, message) for message in said])
            made = dataclasses.replace(made, audited=digest)
        into[path] = made
        return made.data

    def _render(self, texts: Sequence[str]) -> list[Rendered]:
        """Markdown bodies as the build renders them, each held here once rendered: at first
        from the build cache, then (a save's one or two) here, as the cache's writes would
        cost more than the rendering."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._bodies]
        config = self._config
        assert config is not None
        if missing and self._state is None:
            with BuildCache(self._cache_dir) as cache:
                made = markdown_renderer(config, cache, 1)(missing)
                for text, rendered in zip(missing, made, strict=True):
                    body = rendered.body.held_here()
                    self._bodies[text] = dataclasses.replace(rendered, body=body)
        for text in missing if self._state is not None else ():
            base, raw = config.base_path, config.allow_raw_html
            rendered = render_markdown(text, base_path=base, allow_raw_html=raw)
            key = markdown_key(text, base_path=base, allow_raw_html=raw)
            body = dataclasses.replace(rendered.body, key=key)
            self._bodies[text] = dataclasses.replace(rendered, body=body)
        self._used.update(texts)
        return [self._bodies[text] for text in texts]


class Builder(Protocol):
    """build.build, or a builder that calls it (tests count the calls)."""

    def __call__(
        self,
        options: BuildOptions,
        *,
        sources: SiteSources | None = None,
        render_bodies: Callable[[Sequence[str]], list[Rendered]] | None = None,
    ) -> BuildResult: ...
