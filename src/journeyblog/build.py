"""The pipeline in one function, read top to bottom.

    load_config -> discover -> assemble -> render_pages + render_feeds + assets
    -> manifest -> write_site

Every stage collects its errors; `build` raises BuildFailed before `write_site` runs, so a
bad source never costs the existing output.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path, PurePosixPath

import jinja2

from journeyblog.audit import Auditor, audit_outputs
from journeyblog.cache import CACHE_DIR, VERSIONS, BuildCache, markdown_key
from journeyblog.cards import social_images
from journeyblog.checks import site_warnings
from journeyblog.config import SiteConfig, load_config
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError
from journeyblog.feeds import FILE_NAMES, feed_jobs, feed_scopes, syndication_jobs
from journeyblog.fingerprint import Fingerprints, digest
from journeyblog.markdown import Rendered, render_markdown
from journeyblog.model import Job, Output, Site, SocialImage
from journeyblog.parallel import default_jobs, make_all, parallel_map
from journeyblog.render import make_environment, page_jobs, theme_dirs
from journeyblog.search import INDEX_PATH, PAGE_PATH, render_search
from journeyblog.site import Selection, assemble
from journeyblog.sources import SiteSources, discover
from journeyblog.write import MANIFEST_NAME, WriteReport, write_site


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # default SITE_DIR/output
    base_url: str | None = None
    audience: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None  # the cutoff for future posts; default the current time
    jobs: int | None = None  # worker processes; default the CPU count
    cache: bool = True  # use and update SITE_DIR/.journeyblog-cache/

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "output"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    site: Site
    pages: int
    feeds: int
    files: int
    report: WriteReport
    rendered: int  # files made this time (the rest were unchanged since the last build)
    made: tuple[str, ...]  # their paths, in the order they were made
    seconds: float


def build(options: BuildOptions) -> BuildResult:
    """Build the site into options.output; raise BuildFailed (nothing written) on any error."""
    started = time.perf_counter()
    config = load_config(options.site_dir, base_url=options.base_url)
    _check_audience(config, options.audience, options.site_dir)
    _check_output_dir(options.site_dir, options.output)
    now = options.now or datetime.now(UTC)
    jobs = options.jobs or default_jobs()
    sources, errors = discover(options.site_dir)
    cache_dir = options.site_dir / CACHE_DIR if options.cache else None
    with BuildCache(cache_dir) as cache:
        site, site_errors = assemble(
            config,
            sources,
            selection=Selection(
                now=now, audience=options.audience, drafts=options.drafts, future=options.future
            ),
            render_bodies=markdown_renderer(config, cache, jobs),
        )
    errors += site_errors
    if errors:
        raise BuildFailed(errors)

    themes = theme_dirs(options.site_dir, config.theme)
    out_dir = options.output.absolute()
    with BuildCache(cache_dir) as cache:
        prints = Fingerprints()
        social, cards = social_images(site, sources.site_dir, themes, cache=options.cache)
        site_key = site_fingerprint(site, config, themes, social, prints)
        planned = [*site_jobs(site, config, themes, social, prints), *cards]
        previous = cache.fingerprints(str(out_dir)) if out_dir.is_dir() else {}
        auditor = Auditor(site.withheld, published_text(site, sources, themes))
        made = _made(planned, site_key, previous, out_dir, jobs)
        stream = _Checked(
            chain(
                made,
                assets(site, sources, themes),
                [manifest(site, now=now, cutoff=None if options.future else now)],
            ),
            auditor,
            out_dir,
        )
        try:
            report = write_site(stream, out_dir, before_swap=stream.finish)
        except jinja2.TemplateError as error:
            raise BuildFailed([_template_error(error, themes)]) from None
        cache.store_fingerprints(
            str(out_dir), [(job.path, _stored_key(site_key, job)) for job in planned]
        )
    return BuildResult(
        site=site,
        pages=stream.pages,
        feeds=stream.feeds,
        files=stream.files,
        report=report,
        rendered=len(stream.made),
        made=tuple(stream.made),
        seconds=time.perf_counter() - started,
    )


def site_fingerprint(
    site: Site,
    config: SiteConfig,
    themes: Sequence[Path],
    social: Mapping[str, SocialImage],
    prints: Fingerprints,
) -> str:
    """What every page may see besides its own context: templates, settings, the site's lists.

    Posts enter with their link data (title, summary, date, series place, …), not their
    bodies, so editing one post's text re-renders only the pages that show that text.
    """
    templates = []
    for theme in themes:
        for path in sorted((theme / "templates").rglob("*")):
            if path.is_file():
                templates.append(
                    f"{path.relative_to(theme)}:{hashlib.sha256(path.read_bytes()).hexdigest()}"
                )
    link_data = [
        prints.of(post.link)
        + repr(
            (post.date, post.updated, post.author, post.level, post.tags, post.series, post.image)
        )
        for post in site.posts
    ]
    withheld = sorted(f"{item.source}:{item.reason}:{item.whole_post}" for item in site.withheld)
    return digest(
        (
            VERSIONS,
            repr(config),
            repr(site.info),
            *templates,
            *link_data,
            *withheld,
            prints.of(tuple(site.pages)),
            prints.of(
                tuple(
                    (s.slug, s.title, s.description, s.status, s.planned, s.total)
                    for s in site.series
                )
            ),
            repr(sorted(social.items())),
        )
    )


def site_jobs(
    site: Site,
    config: SiteConfig,
    themes: Sequence[Path],
    social: Mapping[str, SocialImage],
    prints: Fingerprints,
) -> list[Job]:
    """Every page, feed and search file of the site, each with the key of what it shows."""
    env = make_environment(themes)
    try:
        pages = page_jobs(site, env, social, prints)
    except jinja2.TemplateError as error:
        raise BuildFailed([_template_error(error, themes)]) from None
    feeds = feed_jobs(
        site, feed_scopes(site, config.feed_size), websub_hub=config.websub_hub, fingerprints=prints
    )
    feeds += syndication_jobs(site, config.syndication, config.feed_size, config.websub_hub, prints)

    @functools.cache
    def search() -> dict[str, bytes]:
        return {output.path: output.data or b"" for output in render_search(site, env)}

    def search_file(path: str) -> Callable[[], bytes]:
        return lambda: search()[path]

    search_key = prints.of(site.posts)
    searches = [Job(path, search_key, search_file(path)) for path in (PAGE_PATH, INDEX_PATH)]
    return [*pages, *searches, *feeds]


def _made(
    planned: Sequence[Job], site_key: str, previous: Mapping[str, str], out_dir: Path, jobs: int
) -> Iterator[Output]:
    """Each job's output: the previous build's file when its key is unchanged, else made now."""
    reuse = {
        job.path
        for job in planned
        if previous.get(job.path) == _stored_key(site_key, job) and (out_dir / job.path).is_file()
    }
    fresh = make_all([job.make for job in planned if job.path not in reuse], jobs=jobs)
    for job in planned:
        if job.path in reuse:
            yield Output(job.path, source=out_dir / job.path, reused=True)
        else:
            yield Output(job.path, next(fresh))


def _stored_key(site_key: str, job: Job) -> str:
    """The key recorded for a file: its own, joined with the site's unless it stands alone."""
    return digest((site_key, job.key)) if job.site_wide else job.key


FEED_NAMES = tuple(FILE_NAMES.values())


class _Checked:
    """The stream of outputs on its way to the writer: audited, counted, paths unique."""

    def __init__(self, outputs: Iterable[Output], auditor: Auditor, out_dir: Path) -> None:
        self._outputs = outputs
        self._auditor = auditor
        self._out_dir = out_dir
        self._paths: set[str] = set()
        self.pages = self.feeds = self.files = 0
        self.made: list[str] = []

    def __iter__(self) -> Iterator[Output]:
        for output in self._outputs:
            if output.path in self._paths:
                raise BuildFailed(
                    [
                        SiteError(
                            self._out_dir / output.path,
                            None,
                            "two outputs would be written here (rename a page, tag or alias)",
                        )
                    ]
                )
            self._paths.add(output.path)
            if not output.reused:
                self._auditor.scan(output)
                if output.data is not None:
                    self.made.append(output.path)
            self.files += 1
            if output.path.endswith(".html"):
                self.pages += 1
            elif output.path.endswith(FEED_NAMES) or output.path.startswith("syndication/"):
                self.feeds += 1
            yield output

    def finish(self) -> None:
        """Called by the writer before the swap: a leak stops the build here."""
        findings = self._auditor.findings
        if findings:
            raise BuildFailed(
                [
                    SiteError(self._out_dir / f.output, None, str(f).split(": ", 1)[1])
                    for f in findings
                ]
            )


def _template_error(error: jinja2.TemplateError, themes: Sequence[Path]) -> SiteError:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return SiteError(
            Path(error.filename or error.name or "?"), error.lineno, f"template: {error.message}"
        )
    return SiteError(themes[0], None, f"template: {error.message}")


def markdown_renderer(
    config: SiteConfig, cache: BuildCache, jobs: int
) -> Callable[[Sequence[str]], list[Rendered]]:
    """Render Markdown bodies: from the cache when it has them, else over `jobs` processes."""
    render = functools.partial(
        render_markdown, base_path=config.base_path, allow_raw_html=config.allow_raw_html
    )

    def render_bodies(texts: Sequence[str]) -> list[Rendered]:
        keys = [
            markdown_key(text, base_path=config.base_path, allow_raw_html=config.allow_raw_html)
            for text in texts
        ]
        known = cache.rendered(keys)
        missing = [index for index, key in enumerate(keys) if key not in known]
        fresh = parallel_map(render, [texts[index] for index in missing], jobs=jobs)
        cache.store_rendered(
            {keys[index]: item for index, item in zip(missing, fresh, strict=True)}
        )
        known.update((keys[index], item) for index, item in zip(missing, fresh, strict=True))
        return [known[key] for key in keys]

    return render_bodies


def check(site_dir: Path, *, now: datetime | None = None) -> list[SiteError]:
    """Every validation of a build, writing nothing; return the warnings.

    Raises BuildFailed with every error. Posts of every level, drafts and future posts are
    checked, so a problem in an internal post is found before an internal build.
    """
    config = load_config(site_dir)
    now = now or datetime.now(UTC)
    sources, errors = discover(site_dir)
    everything = Selection(now=now, audience=config.security_levels[-1], drafts=True, future=True)
    full, site_errors = assemble(config, sources, selection=everything)
    errors += site_errors
    if errors:
        raise BuildFailed(errors)
    # Links are checked as the configured audience reads them: a public post linking to an
    # internal one is a broken link in the public build.
    published, _ = assemble(config, sources, selection=Selection(now=now))
    return site_warnings(full, sources, published)


def audit_output(
    out_dir: Path, site_dir: Path, *, audience: str | None = None, now: datetime | None = None
) -> list[str]:
    """Audit an existing output folder against the site's sources; return the findings."""
    config = load_config(site_dir)
    _check_audience(config, audience, site_dir)
    recorded = _manifest_cutoff(out_dir)
    cutoff = now or recorded or datetime.now(UTC)
    sources, errors = discover(site_dir)
    site, site_errors = assemble(
        config, sources, selection=Selection(now=cutoff, audience=audience)
    )
    if errors or site_errors:
        raise BuildFailed([*errors, *site_errors])
    outputs = [
        Output(path.relative_to(out_dir).as_posix(), path.read_bytes())
        for path in sorted(out_dir.rglob("*"))
        if path.is_file()
    ]
    themes = theme_dirs(site_dir, config.theme)
    findings = audit_outputs(
        outputs, site.withheld, published_text=published_text(site, sources, themes)
    )
    return [str(finding).replace("; nothing was written", "") for finding in findings]


def _manifest_cutoff(out_dir: Path) -> datetime | None:
    try:
        document = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return datetime.fromisoformat(document["cutoff"]) if document.get("cutoff") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def assets(site: Site, sources: SiteSources, themes: Sequence[Path]) -> list[Output]:
    """Theme static files, then content/images/ and static/ (a site's file wins over a theme's).

    An image referenced only by posts this build does not publish is not copied.
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
    published_images = {
        image.removeprefix(site.info.base_path)
        for post in site.posts
        for image in (*_images_in(str(post.html)), post.image or "")
    }
    content_images = sources.site_dir / "content" / "images"
    for image in sources.images:
        relative = "images/" + PurePosixPath(*image.parts).as_posix()
        if relative in withheld_images and relative not in published_images:
            continue
        by_path[relative] = Output(relative, source=content_images / image)
    for path in sources.static:
        relative = PurePosixPath(*path.parts).as_posix()
        by_path[relative] = Output(relative, source=sources.site_dir / "static" / path)
    return list(by_path.values())


def manifest(site: Site, *, now: datetime, cutoff: datetime | None) -> Output:
    """What this build published, for the record: never a title of what it did not."""
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
    data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Output(MANIFEST_NAME, data.encode("utf-8"))


def published_text(site: Site, sources: SiteSources, themes: Sequence[Path]) -> str:
    """Everything a published page may legitimately say: the audit ignores canaries found here."""
    published = {post.source for post in site.posts}
    parts: list[str] = []
    for source in (*sources.posts, *sources.pages):
        if source.kind == "page" or source.path in published:
            parts.append(source.body)
            parts.extend(_strings(dict(source.meta)))
    parts.extend(_strings(dict(sources.authors.data)))
    parts.extend(_strings(dict(sources.series.data)))
    parts.extend([site.info.title, site.info.description])
    for theme in themes:
        for template in sorted((theme / "templates").rglob("*")):
            if template.is_file():
                parts.append(template.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return [str(value)] if value is not None else []


def _images_in(html: str) -> list[str]:
    return re.findall(r'\ssrc="([^"]+)"', html)


def _check_audience(config: SiteConfig, audience: str | None, site_dir: Path) -> None:
    if audience is not None and audience.strip().lower() not in config.security_levels:
        raise OptionInvalid(
            [
                SiteError(
                    site_dir / "journeyblog.toml",
                    None,
                    f"audience '{audience}' is not one of security_levels"
                    f" {list(config.security_levels)}",
                )
            ]
        )


def _check_output_dir(site_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy sources."""
    site = site_dir.resolve()
    out = out_dir.resolve()
    problem = None
    if out == site or site.is_relative_to(out):
        problem = "is the site folder or contains it"
    elif any(out.is_relative_to(site / name) for name in ("content", "static", "themes")):
        problem = "is inside the site's sources"
    elif out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST_NAME).is_file())
    ):
        problem = "holds files journeyblog did not write (choose an empty or new folder)"
    if problem:
        raise BuildFailed([SiteError(out_dir, None, f"output folder {problem}")])
