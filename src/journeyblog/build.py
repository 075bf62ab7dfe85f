"""The pipeline in one function, read top to bottom.

    load_config -> discover -> assemble -> render_pages + render_feeds + assets
    -> manifest -> write_site

Every stage collects its errors; `build` raises BuildFailed before `write_site` runs, so a
bad source never costs the existing output.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import jinja2

from journeyblog.audit import audit_outputs
from journeyblog.cache import CACHE_DIR, BuildCache, markdown_key
from journeyblog.cards import social_images
from journeyblog.checks import site_warnings
from journeyblog.config import SiteConfig, load_config
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError
from journeyblog.feeds import feed_scopes, render_feeds, render_syndication
from journeyblog.markdown import Rendered, render_markdown
from journeyblog.model import Output, Site
from journeyblog.parallel import default_jobs, parallel_map
from journeyblog.render import make_environment, render_pages, theme_dirs
from journeyblog.search import render_search
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

    outputs = render_site(site, config, sources)
    pages = sum(1 for output in outputs if output.path.endswith(".html"))
    feeds = sum(
        1
        for output in outputs
        if output.path.endswith(("feed.xml", "rss.xml", "feed.json"))
        or output.path.startswith("syndication/")
    )
    outputs.append(manifest(site, now=now, cutoff=None if options.future else now))
    _check_unique_paths(outputs, options.site_dir)
    themes = theme_dirs(options.site_dir, config.theme)
    findings = audit_outputs(
        outputs, site.withheld, published_text=published_text(site, sources, themes)
    )
    if findings:
        raise BuildFailed(
            [SiteError(options.output / f.output, None, str(f).split(": ", 1)[1]) for f in findings]
        )
    report = write_site(outputs, options.output)
    return BuildResult(
        site=site,
        pages=pages,
        feeds=feeds,
        files=len(outputs),
        report=report,
        seconds=time.perf_counter() - started,
    )


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


def render_site(site: Site, config: SiteConfig, sources: SiteSources) -> list[Output]:
    """Pages, feeds and copied files: everything but the manifest."""
    themes = theme_dirs(sources.site_dir, config.theme)
    env = make_environment(themes)
    try:
        # Link previews: each post's own image or its social card (cards/<slug>.png).
        social, cards = social_images(site, sources.site_dir, themes)
        pages = [*render_pages(site, env, social), *render_search(site, env)]
    except jinja2.TemplateSyntaxError as error:
        raise BuildFailed(
            [
                SiteError(
                    Path(error.filename or error.name or "?"),
                    error.lineno,
                    f"template: {error.message}",
                )
            ]
        ) from None
    except jinja2.TemplateError as error:
        raise BuildFailed([SiteError(themes[0], None, f"template: {error.message}")]) from None
    feeds = render_feeds(site, feed_scopes(site, config.feed_size), websub_hub=config.websub_hub)
    feeds += render_syndication(site, config.syndication, config.feed_size, config.websub_hub)
    return [*pages, *feeds, *cards, *assets(site, sources, themes)]


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
    import re

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


def _check_unique_paths(outputs: Sequence[Output], site_dir: Path) -> None:
    counts = Counter(output.path for output in outputs)
    clashes = sorted(path for path, count in counts.items() if count > 1)
    if clashes:
        raise BuildFailed(
            [
                SiteError(
                    site_dir,
                    None,
                    f"two outputs would be written to {path} (rename a page, tag or alias)",
                )
                for path in clashes
            ]
        )
