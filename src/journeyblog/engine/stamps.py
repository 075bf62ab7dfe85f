"""What the last build into a folder left, and whether building again would change it.

A build records two stamps in the cache: one of every input file's metadata taken before
anything was read (`input_stamp`), one of the output it wrote (`output_stamp`). `up_to_date`
compares them with the folders as they are now, with a directory walk instead of a build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from journeyblog.config import CACHE_DIR, CONFIG_NAME, default_theme_dir
from journeyblog.engine.cache import BuildCache
from journeyblog.fingerprint import digest
from journeyblog.i18n import LOCALES
from journeyblog.options import BuildOptions
from journeyblog.versions import VERSIONS


@dataclass(frozen=True, slots=True, kw_only=True)
class UpToDate:
    """What the last build into a folder published, when nothing has changed since."""

    pages: int
    feeds: int
    files: int
    posts: int
    audience: str
    published_until: datetime | None  # the newest published post's date
    next_due: datetime | None  # the first future-dated post that was held back

    def to_json(self) -> str:
        fields = {
            "pages": self.pages,
            "feeds": self.feeds,
            "files": self.files,
            "posts": self.posts,
            "audience": self.audience,
            "published_until": _iso(self.published_until),
            "next_due": _iso(self.next_due),
        }
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> UpToDate | None:
        try:
            fields = json.loads(text)
            return cls(
                pages=int(fields["pages"]),
                feeds=int(fields["feeds"]),
                files=int(fields["files"]),
                posts=int(fields["posts"]),
                audience=str(fields["audience"]),
                published_until=_from_iso(fields["published_until"]),
                next_due=_from_iso(fields["next_due"]),
            )
        except (ValueError, KeyError, TypeError, RecursionError):
            return None


def up_to_date(options: BuildOptions, *, inputs: str | None = None) -> UpToDate | None:
    """The last build's summary if building again would give the same output, else None.

    As make does, by file metadata: the output is current when no input file (the config,
    content/, static/, the site's and the default theme, journeyblog itself) and no output
    file has changed size, mtime, ctime or inode since the last build recorded them, the
    options are the same, and no post's date lies between that build's cutoff and this
    one's. Checking takes a directory walk, not a build. Never with the cache off.
    `inputs`: input_stamp(options), if the caller has taken it (to pass it on to `build`).
    """
    recorded = last_build(options)
    if recorded is None:
        return None
    recorded_inputs, output, summary = recorded
    if not options.manifest_path.is_file():
        return None
    current = inputs if inputs is not None else input_stamp(options)
    if recorded_inputs != current or output != tree_stamp(options.output.absolute()):
        return None
    now = options.now or datetime.now(UTC)
    if not options.future:
        if summary.published_until is not None and now < summary.published_until:
            return None
        if summary.next_due is not None and now >= summary.next_due:
            return None
    return summary


def last_build(options: BuildOptions) -> tuple[str, str, UpToDate] | None:
    """(inputs stamp, output stamp, summary) the cache recorded for the last build into
    options.output; None without a cache or a readable record."""
    if not options.cache or not (options.site_dir / CACHE_DIR / "cache.sqlite").is_file():
        return None  # nothing made in a folder that may be no site at all
    with BuildCache(options.site_dir / CACHE_DIR) as cache:
        recorded = cache.stamp(str(options.output.absolute()))
    if recorded is None:
        return None
    inputs, output, summary_json = recorded
    summary = UpToDate.from_json(summary_json)
    return None if summary is None else (inputs, output, summary)


def input_stamp(options: BuildOptions) -> str:
    """A digest of the build's options and of the metadata of every file it may read."""
    site_dir = options.site_dir.absolute()
    roots = [
        site_dir / CONFIG_NAME,
        site_dir / "content",
        site_dir / "static",
        site_dir / "themes",
        site_dir / LOCALES,
        default_theme_dir(),
    ]
    settings = (
        VERSIONS,  # journeyblog's own code included, by content (versions.VERSIONS)
        str(site_dir),
        str(options.output.absolute()),
        options.base_url,
        options.audience,
        options.drafts,
        options.future,
    )
    return digest((repr(settings), *(tree_stamp(root) for root in roots)))


def tree_stamp(root: Path) -> str:
    """A digest of the path, size, mtime, ctime and inode of every file under root."""
    entries: list[str] = []
    try:
        info = root.stat()
    except OSError:
        return "absent"
    if not root.is_dir():
        return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                        continue
                    entries.append(_stamp_entry(entry.path, entry.stat()))
        except OSError:
            entries.append(f"{folder}:unreadable")
    entries.sort()
    return digest(entries)


def output_stats(out_dir: Path, paths: Iterable[str]) -> dict[str, os.stat_result] | None:
    """The stat of each of `paths` (normalised, relative) in out_dir; None if one is missing."""
    root = str(out_dir)
    stats: dict[str, os.stat_result] = {}
    for path in paths:
        try:
            stats[path] = os.stat(f"{root}/{path}")
        except OSError:
            return None
    return stats


def output_stamp(
    out_dir: Path, paths: Iterable[str], stats: Mapping[str, os.stat_result] | None = None
) -> str:
    """tree_stamp(out_dir) for a folder that holds exactly `paths` (normalised, relative),
    without walking it: a stat per file (`stats`, if taken already), no listing of its
    thousands of folders.

    For the stamp a build records of the output it has just written. Should the folder hold
    anything else, the stamp only differs from the walk that `up_to_date` makes, and the
    next build builds: it can never pass for up to date when it is not.
    """
    if stats is None:
        stats = output_stats(out_dir, paths)
    if stats is None:
        return tree_stamp(out_dir)  # not the folder we wrote: walk it as it is
    root = str(out_dir)
    entries = [_stamp_entry(f"{root}/{path}", stat) for path, stat in stats.items()]
    entries.sort()
    return digest(entries)


def _stamp_entry(path: str, stat: os.stat_result) -> str:
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _from_iso(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None
