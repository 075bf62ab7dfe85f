"""What the last build into a folder left, and whether building again would change it.

A build records two stamps in the cache: one of every input file's metadata taken before
anything was read (`input_stamp`), one of the output it wrote (`output_stamp`), with the list
of the files it wrote. `up_to_date` compares them with the folders as they are now: a walk of
the inputs' folders, a stat of each output file and folder; no build.
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from journeyblog.config import CACHE_DIR, CONFIG_NAME, LOCALES, default_theme_dir
from journeyblog.digests import bytes_digest, digest, length_prefixed
from journeyblog.engine.cache import BuildCache
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
    one's. Checking takes a walk of the input folders and a stat of each output file, not a
    build. Never with the cache off.
    `inputs`: input_stamp(options), if the caller has taken it (to pass it on to `build`).
    """
    last = last_build(options)
    if last is None:
        return None
    summary = last.summary
    if not options.manifest_path.is_file():
        return None
    current = inputs if inputs is not None else input_stamp(options)
    if last.inputs != current or last.output == ABSENT:
        return None
    if last.output != output_stamp(options.output.absolute(), last.files):
        return None
    now = options.now or datetime.now(UTC)
    if not options.future:
        if summary.published_until is not None and now < summary.published_until:
            return None
        if summary.next_due is not None and now >= summary.next_due:
            return None
    return summary


class LastBuild(NamedTuple):
    """What the cache recorded of the last build into an output folder."""

    inputs: str  # input_stamp
    output: str  # output_stamp of `files`
    files: tuple[str, ...]  # every file it wrote there, relative
    summary: UpToDate


def last_build(options: BuildOptions) -> LastBuild | None:
    """The last build into options.output; None without a cache or a readable record."""
    if not options.cache or not (options.site_dir / CACHE_DIR / "cache.sqlite").is_file():
        return None  # nothing made in a folder that may be no site at all
    with BuildCache(options.site_dir / CACHE_DIR) as cache:
        recorded = cache.stamp(str(options.output.absolute()))
    if recorded is None:
        return None
    inputs, output, files, summary_json = recorded
    summary = UpToDate.from_json(summary_json)
    return None if summary is None else LastBuild(inputs, output, files, summary)


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


def recorded_stamp(
    out_dir: Path, paths: Collection[str], stats: Mapping[str, os.stat_result] | None
) -> str:
    """output_stamp of the folder a build has just written with `paths`, if a listing taken
    after it finds nothing else there; else ABSENT, which no check takes for up to date: a
    file another process put there meanwhile is never counted as the build's."""
    stamp = output_stamp(out_dir, paths, stats)
    expected = {*paths, *(f"{folder}/" for folder in _folders(paths) if folder)}
    return stamp if _listing(out_dir) == expected else ABSENT


def _listing(root: Path) -> set[str] | None:
    """Every file ("a/b.html") and folder ("a/") under root, relative; None if unreadable."""
    found: set[str] = set()
    pending = [("", str(root))]
    while pending:
        relative, folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    name = relative + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        found.add(name + "/")
                        pending.append((name + "/", entry.path))
                    else:
                        found.add(name)
        except OSError:
            return None
    return found


ABSENT = "absent"  # the stamp of an output not as its build left it: never up to date


def output_stamp(
    out_dir: Path, paths: Collection[str], stats: Mapping[str, os.stat_result] | None = None
) -> str:
    """A digest of the metadata of each of `paths` (normalised, relative) in out_dir and of
    every folder that holds them, out_dir included; "absent" if one is missing.

    A stat a file (`stats`, if taken already) and a folder, no listing of the thousands of
    folders: a file edited changes its own stat, one added, removed or renamed its folder's
    mtime, so the stamp differs from the one recorded whenever a walk would find a change.
    """
    root = str(out_dir)
    listed = sorted(paths)
    numbers = array("Q")  # each file's and folder's size, mtime, ctime and inode, in order
    for path in listed:
        stat = stats.get(path) if stats is not None else None
        try:
            stat = stat or os.stat(f"{root}/{path}")
        except OSError:
            return ABSENT
        numbers.extend(_numbers(stat))
    for folder in sorted(_folders(listed)):
        try:
            numbers.extend(_numbers(os.stat(f"{root}/{folder}" if folder else root)))
        except OSError:
            return ABSENT
    return bytes_digest(length_prefixed((root, *listed)) + numbers.tobytes())


def _numbers(stat: os.stat_result) -> tuple[int, int, int, int]:
    # Two's complement in 64 bits: a time before 1970 is negative, an inode may use all 64.
    return (
        stat.st_size & _BITS,
        stat.st_mtime_ns & _BITS,
        stat.st_ctime_ns & _BITS,
        stat.st_ino & _BITS,
    )


_BITS = (1 << 64) - 1


def _folders(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of `paths`, at any depth; "" for the top."""
    folders = {""}
    for path in paths:  # normalised: the folder is what comes before the last "/"
        folder = path.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _stamp_entry(path: str, stat: os.stat_result) -> str:
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _from_iso(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None
