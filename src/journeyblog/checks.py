"""Warnings for `journeyblog check`: things that are not errors but that readers would notice.

Each check is a pure function from the assembled site (and its sources) to SiteErrors used as
warnings; `site_warnings` runs them all. Errors that stop a build live in site.py, not here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from datetime import timedelta

from journeyblog.errors import SiteError
from journeyblog.model import Site
from journeyblog.sources import SiteSources

Check = Callable[[Site, SiteSources], list[SiteError]]

# A planned part is overdue when the series has been quiet this long.
OVERDUE = timedelta(days=90)


def site_warnings(site: Site, sources: SiteSources, published: Site) -> list[SiteError]:
    """Every warning of every check, sorted by file and line.

    `site` holds every post (all levels, drafts, future); `published` is what the configured
    audience sees, for the checks that depend on it (links).
    """
    found: list[SiteError] = list(link_warnings(published, sources))
    for check in CHECKS:
        found.extend(check(site, sources))
    return sorted(set(found), key=SiteError.sort_key)


def series_warnings(site: Site, sources: SiteSources) -> list[SiteError]:
    """Gaps in part numbers, dates that run against part order, overdue planned parts."""
    lines = {source.path: source.line("part") or source.line("date") for source in sources.posts}
    warnings = []
    for series in site.series:
        numbers = [post.series.part for post in series.parts if post.series]
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if missing:
            after = series.parts[-1]
            listed = ", ".join(str(n) for n in missing)
            warnings.append(
                SiteError(
                    after.source,
                    lines.get(after.source),
                    f"warning: series '{series.slug}' has no part {listed} (a gap readers will notice)",
                )
            )
        for earlier, later in zip(series.parts, series.parts[1:], strict=False):
            if later.date < earlier.date:
                warnings.append(
                    SiteError(
                        later.source,
                        lines.get(later.source),
                        f"warning: part {later.series.part if later.series else '?'} is dated before "
                        f"part {earlier.series.part if earlier.series else '?'} ({earlier.source})",
                    )
                )
        latest = series.parts[-1]
        if (
            series.status == "ongoing"
            and series.planned
            and max(numbers) < series.planned
            and site.built_at - latest.date > OVERDUE
        ):
            warnings.append(
                SiteError(
                    sources.series.path,
                    sources.series.key_lines.get(series.slug),
                    f"warning: series '{series.slug}' plans {series.planned} parts but the last "
                    f"(part {max(numbers)}) was published on {latest.date:%Y-%m-%d}: "
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
    known |= {base + "images/" + image.as_posix() for image in sources.images}
    known |= {base + path.as_posix() for path in sources.static}
    lines = {source.path: source.body_line for source in (*sources.posts, *sources.pages)}
    warnings = []
    for item in (*site.posts, *site.pages):
        for url in _HREF.findall(str(item.html)):
            target = html.unescape(url).split("#", 1)[0].split("?", 1)[0]
            if not target.startswith(base) or target.startswith("//"):
                continue
            candidates = {target, target + "/", target.removesuffix("index.html")}
            if not candidates & known:
                warnings.append(
                    SiteError(
                        item.source,
                        lines.get(item.source),
                        f"warning: link to {target}, which this site does not publish "
                        "(fix the address, or publish the page it points to)",
                    )
                )
    return warnings


_HREF = re.compile(r'\s(?:href|src)="([^"]+)"')

CHECKS: Sequence[Check] = (series_warnings,)
