"""The dev server's site, held in memory between saves.

`LiveSite.build` builds the site into the server's folder as `journeyblog build` does, and
keeps what it read and assembled: the sources, every rendered Markdown body, each language's
Site and the plan of its pages. `LiveSite.update` takes in a save: it reads again only the
files that changed (sources.refreshed), assembles the site again from memory (the
pipeline's own assemble_editions), plans its pages (build.edition_pages), each handed what
its last call made (kept.Kept: the parts of unchanged posts are taken from there), and
renders nothing but the pages open in a browser. Every other file is made when it is asked
for (`answer`):

- a page, when what its rendering read has changed since it was made: its template, its
  context, or a value of the Site its templates read, recorded as they read it
  (reads.recording);
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
import functools
import gc
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, TemplateError

from journeyblog.audit import Auditor
from journeyblog.build import (
    BuildResult,
    assets,
    edition_pages,
    plan_files,
    published_files,
    published_names,
    published_text,
    site_language,
    template_error,
    withheld_pictures,
)
from journeyblog.config import CACHE_DIR, SiteConfig, load_config
from journeyblog.editions import Editions, assemble_editions, edition_config, revise_editions
from journeyblog.engine.cache import BuildCache, markdown_key
from journeyblog.engine.incremental import build, collecting_rarely, markdown_renderer
from journeyblog.engine.parallel import default_jobs, parallel_map
from journeyblog.errors import BuildFailed, SiteError
from journeyblog.figures import Measured
from journeyblog.i18n import Language
from journeyblog.kept import Kept
from journeyblog.markdown import render_markdown
from journeyblog.model import Job, Output, Site
from journeyblog.options import BuildOptions
from journeyblog.pictures import picture_jobs, unpublishable
from journeyblog.reads import recording
from journeyblog.render import SITE_FIELDS, PageSpec, make_environment, render_page, theme_dirs
from journeyblog.rendered import Rendered
from journeyblog.site import Selection
from journeyblog.sources import SiteSources, discover, refreshed, split_record

# What a file of the first build's folder may have read of the Site: all but the cutoff,
# which no page prints (build.site_fingerprint leaves it out too).
FOLDER_READS = SITE_FIELDS - {"built_at"}


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
class _Session:
    """What one whole build read and decided, which the saves taken in after it share."""

    config: SiteConfig
    themes: tuple[Path, ...]
    jobs: int  # processes for the whole build's Markdown
    bodies: dict[str, Rendered] = field(default_factory=dict)  # Markdown -> its rendering
    used: set[str] = field(default_factory=set)  # the Markdown the last assemble rendered
    kept: Kept = field(default_factory=Kept)  # what the last assemble made
    planned: Kept = field(default_factory=Kept)  # what the last plan of the pages made
    languages: dict[str, tuple[Environment, Language]] = field(default_factory=dict)
    measured: Mapping[str, Measured] = field(default_factory=dict)
    linked: bool = False  # a source is a link to another file: saves need whole builds
    recorded: dict[str, str] = field(default_factory=dict)  # the folder's files -> keys
    folder_only: frozenset[str] = frozenset()  # assets and pictures' copies
    first: _State | None = None  # what the folder's files were made from


@dataclass(slots=True)
class _State:
    """One assembled site and the plan of its pages; its other files planned when first
    asked for."""

    session: _Session
    serial: int  # 0 for the whole build's, then one more a save
    sources: SiteSources
    editions: Editions
    now: datetime
    pages: Mapping[str, _Page]
    auditor: Auditor
    copied: tuple[object, ...]  # what decides the folder's own files and the aliases
    others: dict[str, tuple[Job, str]] | None = None
    same: dict[tuple[int, int, str], bool] = field(default_factory=dict)

    @property
    def audit(self) -> str:
        """What a file passed by this state's audit is marked with: the audit excuses what
        this site publishes, so a file is audited again for each new state it is served in."""
        return f"{self.auditor.digest}:{self.serial}"


class LiveSite:
    """The site as the dev server holds it; see the module's docstring.

    `build` and `update` are called from one thread; `answer` from any.
    """

    def __init__(self, options: BuildOptions, *, builder: Builder = build) -> None:
        self.options = options
        self._builder = builder
        self._lock = threading.RLock()
        self._state: _State | None = None
        self._made: dict[str, _Made] = {}
        self._pending: set[Path] = set()  # the files of saves refused, taken in with the next
        self._whole = True  # a whole build is owed: none yet, or the last one failed
        self.rendered = 0  # pages rendered since the last whole build
        self.revised = 0  # saves taken in by making one post again (site.revise), all told
        # The sources that are links to other files, as the last whole build read them, with
        # their file_stamp then: a save of the other file is no event in a watched folder
        # (serve polls them).
        self.linked: dict[Path, tuple[int, ...] | None] = {}

    @property
    def ready(self) -> bool:
        """Whether a build has succeeded, so that a save can be taken in from memory."""
        return self._state is not None and not self._whole

    # ------------------------------------------------------------ whole builds

    def build(self, *, workers: bool = False) -> BuildResult:
        """Read and build the whole site into the folder, and hold it. With `workers`, over
        a process a CPU as `journeyblog build` does: only while no other thread runs.
        On failure the site held is kept, and every save waits for a whole build."""
        self._whole = True
        gc.unfreeze()  # the site held until now may be dropped, cycles and all
        options = dataclasses.replace(self.options, jobs=None) if workers else self.options
        jobs = options.jobs or default_jobs()
        site_dir = options.site_dir
        config = load_config(site_dir, base_url=options.base_url)
        split_many = functools.partial(parallel_map, split_record, jobs=jobs)
        with BuildCache(self._cache_dir) as cache:
            sources, errors = discover(site_dir, remembered=cache, split_many=split_many)
        # Stamped as read: a save of the file a link leads to, even while this build runs,
        # is then told from what was built.
        self.linked = {
            source.path: file_stamp(source.path)
            for source in (*sources.posts, *sources.pages)
            if _linked(source.path)
        }
        if errors:
            raise BuildFailed(errors)
        session = _Session(config, theme_dirs(site_dir, config.theme), jobs)
        now = options.now or datetime.now(UTC)
        try:
            result = self._builder(
                dataclasses.replace(options, now=now),
                sources=sources,
                render_bodies=functools.partial(self._render, session, whole=True),
            )
        except BaseException:
            self._distrust_folder()
            raise
        assert result.assembled is not None
        session.jobs = 1
        session.measured = result.pictures
        session.linked = bool(self.linked)
        # Assembled again from memory with what a save is handed, so that the first save
        # finds every part of it kept, as the next ones do.
        editions, _ = self._assemble(session, sources, now)
        state = self._assembled(session, sources, editions, now, None)
        site = result.assembled.whole
        copies = picture_jobs(site, site_dir, self._cache_dir, measured=session.measured)
        with BuildCache(self._cache_dir) as cache:
            recorded = cache.fingerprints(str(options.output.absolute()))
        session.recorded = {path: entry.key for path, entry in recorded.items()}
        session.folder_only = frozenset(
            {output.path for output in assets(site, sources, session.themes)}
            | {job.path for job in copies}
        )
        session.first = state
        session.used = set()
        for page in {
            (page.env, page.spec.template): page for page in state.pages.values()
        }.values():
            page.env.get_template(page.spec.template)  # compiled now, not on the first save
        with self._lock:
            self._state = state
            self._made = {}
            self._pending = set()
            self._whole = False
            self.rendered = 0
        # What is held now lives until the next whole build: the collector, run as each save
        # makes its objects, need not walk it again every time. The site held before is let
        # go first: a cycle (its session's first state) that only the collector frees.
        gc.collect()
        gc.freeze()
        return result

    def _distrust_folder(self) -> None:
        """A whole build failed, perhaps having rewritten some of the folder's files: until
        one succeeds, pages and feeds are made from memory, never taken from the folder."""
        with self._lock:
            if self._state is not None:
                self._state.session.first = None
                self._state.session.recorded = {}

    @property
    def _cache_dir(self) -> Path | None:
        return self.options.site_dir / CACHE_DIR if self.options.cache else None

    # ------------------------------------------------------------ saves

    def update(self, changed: Collection[Path], open_pages: Collection[str] = ()) -> int | None:
        """Take in the files `changed` since; None if only a whole build can (`build`).

        Makes those of `open_pages` (output paths: "posts/x/index.html") that changed and
        returns how many it made. Raises BuildFailed, and keeps the site as it was, if the
        site now has errors or an open page would show withheld text; the files of a save
        refused are read again with the next.
        """
        with collecting_rarely():
            changed = {*self._pending, *changed}
            try:
                return self._update(changed, open_pages)
            except BuildFailed:  # refused: the files are read again with the next save
                self._pending = changed
                raise
            except BaseException:  # stopped by a bug: a whole build takes the next save in
                self._whole = True
                raise

    def _update(self, changed: Collection[Path], open_pages: Collection[str]) -> int | None:
        state = self._state
        if state is None or self._whole or state.session.linked:
            return None
        session = state.session
        config = session.config
        fresh = refreshed(state.sources, changed)
        if fresh is None:
            return None
        sources, errors = fresh
        options = self.options
        now = options.now or datetime.now(UTC)
        session.used = set()
        revised = None if errors else self._revised(session, sources, now)
        if revised is None:
            editions, problems = self._assemble(session, sources, now)
            errors += problems
        else:
            editions = revised
        if not errors:
            errors += unpublishable(
                options.site_dir / "content",
                published_files(editions.whole, sources),
                session.measured,
                max_pixels=config.max_image_pixels,
            )
        if errors:
            raise BuildFailed(errors)
        new = self._assembled(session, sources, editions, now, state)
        assert session.first is not None
        if new.copied != session.first.copied:
            return None  # a picture, a file beside a post or an alias published or withheld
        made: dict[str, _Made] = {}
        before = self.rendered
        with self._lock:
            for path in open_pages:
                if path in new.pages:
                    self._page(new, path, made)
            self._state = new
            self._made.update(made)
            self._pending = set()
        if revised is None:
            session.bodies = {
                text: body for text, body in session.bodies.items() if text in session.used
            }
        else:
            # The other bodies are still the site's: they are pruned after the next assemble.
            self.revised += 1
        return self.rendered - before

    def _assemble(
        self, session: _Session, sources: SiteSources, now: datetime
    ) -> tuple[Editions, list[SiteError]]:
        """The site assembled from memory: its bodies and what the last assemble made."""
        return assemble_editions(
            session.config,
            sources,
            selection=self._selection(now),
            render_bodies=functools.partial(self._render, session, whole=False),
            pictures=session.measured,
            kept=session.kept,
        )

    def _selection(self, now: datetime) -> Selection:
        options = self.options
        return Selection(
            now=now, audience=options.audience, drafts=options.drafts, future=options.future
        )

    def _revised(self, session: _Session, sources: SiteSources, now: datetime) -> Editions | None:
        """The site with the one post whose body alone a save changed made again, if that
        is all it changes (editions.revise_editions)."""
        return revise_editions(
            session.config,
            sources,
            selection=self._selection(now),
            render_bodies=functools.partial(self._render, session, whole=False),
            pictures=session.measured,
            kept=session.kept,
        )

    def answer(self, path: str) -> Answer:
        """The current bytes of the output at `path` ("posts/x/index.html")."""
        with self._lock:
            state = self._state
            if state is None:
                return Answer(folder=True)
            try:
                if path in state.pages:
                    return Answer(self._page(state, path, self._made))
                if path in state.session.folder_only:
                    return self._copied(state, path)
                others = self._others(state)
                if path in others:
                    return Answer(self._other(state, path, others[path]))
            except BuildFailed as failure:
                return Answer(errors=tuple(failure.errors))
            return Answer()

    # ------------------------------------------------------------ the plan

    def _assembled(
        self,
        session: _Session,
        sources: SiteSources,
        editions: Editions,
        now: datetime,
        last: _State | None,
    ) -> _State:
        site_dir = self.options.site_dir
        pages: dict[str, _Page] = {}
        clashes: list[SiteError] = []
        for edition in editions.sites:
            env, language = self._language(session, edition.info.language)
            kept = session.planned.part(edition.info.language)
            for spec in edition_pages(
                edition, editions, session.config, site_dir, session.themes, env, language, kept
            ):
                if spec.path in pages or spec.path in session.folder_only:
                    clashes.append(SiteError(self.options.output / spec.path, None, CLASH))
                pages[spec.path] = _Page(edition, env, spec)
        if clashes:
            raise BuildFailed(clashes)
        site = editions.whole
        themes = session.themes

        def said() -> Iterator[str]:
            return published_text(site, lambda: sources, themes, session.config)

        if last is not None and last.editions.whole.withheld == site.withheld:
            auditor = last.auditor.excusing(said, published_names(site))
        else:
            auditor = Auditor(
                site.withheld,
                said,
                published_slugs=published_names(site),
                own_url=site.info.base_url,
                few_outputs=True,
                pictures=withheld_pictures(site, site_dir),
            )
        copied = (
            frozenset(output.path for output in assets(site, sources, themes)),
            site.pictures,
            site.files,
            tuple(
                alias
                for edition in editions.sites
                for post in edition.posts
                for alias in post.aliases
            ),
        )
        serial = last.serial + 1 if last is not None else 0
        return _State(session, serial, sources, editions, now, pages, auditor, copied)

    def _language(self, session: _Session, tag: str) -> tuple[Environment, Language]:
        """Each language's templates and messages, loaded once a whole build."""
        known = session.languages.get(tag)
        if known is None:
            config = edition_config(session.config, tag)
            language = site_language(config, self.options.site_dir, session.themes)
            known = session.languages[tag] = (
                make_environment(session.themes, None, language),
                language,
            )
        return known

    def _others(self, state: _State) -> dict[str, tuple[Job, str]]:
        if state.others is None:
            session = state.session
            options = dataclasses.replace(self.options, now=state.now)
            jobs, keys, copies = plan_files(
                state.editions,
                session.config,
                options,
                session.themes,
                session.measured,
                pages=False,
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
            try:
                template = page.env.get_template(page.spec.template)
                with recording() as reading:
                    data = render_page(template, page.site, page.spec)
            except TemplateError as error:
                raise BuildFailed([template_error(error, state.session.themes)]) from None
            made = _Made(data, "", page.spec, page.site, frozenset(reading.site))
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
        first = state.session.first
        made = first.pages.get(path) if first is not None else None
        if first is None or made is None:
            return None
        was = _Made(b"", first.audit, made.spec, made.site, FOLDER_READS)
        if not self._fresh(state, page, was, FOLDER_READS):
            return None
        data = self._folder_file(path)
        return dataclasses.replace(was, data=data) if data is not None else None

    def _other(self, state: _State, path: str, planned: tuple[Job, str]) -> bytes:
        job, key = planned
        made = self._made.get(path)
        session = state.session
        if made is None or made.key != key:
            data = self._folder_file(path) if session.recorded.get(path) == key else None
            if data is not None and session.first is not None:
                made = _Made(data, session.first.audit, key=key)
            else:
                try:
                    made = _Made(job.make(), "", key=key)
                except TemplateError as error:
                    raise BuildFailed([template_error(error, session.themes)]) from None
        return self._audited(state, path, made, self._made)

    def _copied(self, state: _State, path: str) -> Answer:
        """A file copied into the folder (an asset, a picture's copy): as it is there, once
        this state's audit has passed it (what a save withholds may be quoted anywhere)."""
        first = state.session.first
        if state is first:
            return Answer(folder=True)  # passed by the whole build's own audit
        made = self._made.get(path)
        if made is None or made.audited != state.audit:
            data = self._folder_file(path)
            if data is None:
                return Answer()
            made = _Made(data, "")
        return Answer(self._audited(state, path, made, self._made))

    def _folder_file(self, path: str) -> bytes | None:
        try:
            return (self.options.output / path).read_bytes()
        except OSError:
            return None

    def _audited(self, state: _State, path: str, made: _Made, into: dict[str, _Made]) -> bytes:
        """The file's bytes once the current audit has passed them; BuildFailed if not."""
        if made.audited != state.audit:
            leaks = state.auditor.leaks(Output(path, made.data))
            if leaks:
                where = self.options.output / path
                said = [
                    str(leak).split(": ", 1)[1].replace("; nothing was written", "")
                    for leak in leaks
                ]
                raise BuildFailed([SiteError(where, None, message) for message in said])
            made = dataclasses.replace(made, audited=state.audit)
        into[path] = made
        return made.data

    def _render(self, session: _Session, texts: Sequence[str], *, whole: bool) -> list[Rendered]:
        """Markdown bodies as the build renders them, each held in `session` once rendered:
        for a whole build from the build cache (over `session.jobs` processes), for a save
        (one or two) here, as the cache's writes would cost more than the rendering."""
        missing = [text for text in dict.fromkeys(texts) if text not in session.bodies]
        config = session.config
        if missing and whole:
            with BuildCache(self._cache_dir) as cache:
                made = markdown_renderer(config, cache, session.jobs)(missing)
                session.bodies.update(zip(missing, made, strict=True))
        for text in () if whole else missing:
            base, raw = config.base_path, config.allow_raw_html
            rendered = render_markdown(text, base_path=base, allow_raw_html=raw)
            key = markdown_key(text, base_path=base, allow_raw_html=raw)
            body = dataclasses.replace(rendered.body, key=key)
            session.bodies[text] = dataclasses.replace(rendered, body=body)
        session.used.update(texts)
        return [session.bodies[text] for text in texts]


CLASH = "two outputs would be written here (rename a page, tag or alias)"


def file_stamp(path: Path) -> tuple[int, ...] | None:
    """What changes when the file a path leads to is saved: its stat, followed through links."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _linked(path: Path) -> bool:
    """Whether a file is a link to another (symbolic, or one of several hard links): a save
    of that other is not reported as a save of this one."""
    try:
        return path.is_symlink() or path.stat().st_nlink > 1
    except OSError:
        return True


class Builder(Protocol):
    """engine.build, or a builder that calls it (tests count the calls)."""

    def __call__(
        self,
        options: BuildOptions,
        *,
        sources: SiteSources | None = None,
        render_bodies: Callable[[Sequence[str]], list[Rendered]] | None = None,
    ) -> BuildResult: ...
