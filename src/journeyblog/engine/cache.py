"""The persistent build cache: SITE_DIR/.journeyblog-cache/cache.sqlite.

Owns what a build may skip next time: split front matter keyed by a hash of the file's bytes
(see sources.discover), rendered Markdown keyed by a hash of the text and of
everything that shapes its HTML (renderer options, the versions of journeyblog, markdown-it-py,
mdit-py-plugins and Pygments), the fingerprint of every file the last build wrote, and per
output folder the stamp of the inputs and of the output of the last build (see
`engine.up_to_date`).

A cache is never trusted: values are JSON (never pickle), checked field by field when read, and
a file that is not a cache of this version — corrupt, foreign, truncated — is deleted and
started afresh. Losing the cache costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from journeyblog.digests import bytes_digest
from journeyblog.versions import VERSIONS

if TYPE_CHECKING:
    from journeyblog.rendered import Rendered

SCHEMA = "journeyblog-cache 11"


def markdown_key(text: str, *, base_path: str, allow_raw_html: bool) -> str:
    return _text_key(text, base_path, str(allow_raw_html))


def _text_key(text: str, *context: str) -> str:
    """sha256 of the versions, what else decides the value, and the text itself."""
    digest = hashlib.sha256("".join(f"{part}\0" for part in (VERSIONS, *context)).encode())
    digest.update(text.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


class Recorded(NamedTuple):
    """What the last build recorded of one file it wrote (BuildCache.fingerprints)."""

    key: str  # what the file was made from (build._stored_key)
    audit: str | None  # the audit that passed it (Auditor.digest); None if changed since
    digest: str  # of its bytes (digests.bytes_digest)
    reads: str | None = None  # a page: what its rendering read (reads.Reads.to_json)


class BuildCache:
    """One site's cache. Use as a context manager; `disabled()` gives one that keeps nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._outputs_read: dict[str, dict[str, tuple[object, ...]]] = {}  # by `fingerprints`

    @classmethod
    def disabled(cls) -> BuildCache:
        return cls(None)

    def __enter__(self) -> BuildCache:
        if self.folder is not None:
            path = self.folder / "cache.sqlite"
            self._db = self._open(path)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.commit()
            self._db.close()
            self._db = None

    def _open(self, path: Path) -> sqlite3.Connection | None:
        for _attempt in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='versions'").fetchone()
                if row is None or row[0] != f"{SCHEMA};{VERSIONS}":
                    db.execute("DROP TABLE IF EXISTS markdown")
                    db.execute("DROP TABLE IF EXISTS outputs")
                    db.execute("DROP TABLE IF EXISTS stamps")
                    db.execute("DROP TABLE IF EXISTS front_matter")
                    db.execute("DROP TABLE IF EXISTS sentences")
                    db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('versions', ?)",
                        (f"{SCHEMA};{VERSIONS}",),
                    )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS markdown"
                    " (key TEXT PRIMARY KEY, html BLOB, search_words BLOB, rest TEXT)"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS front_matter (key TEXT PRIMARY KEY, value TEXT)"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS outputs (out_dir TEXT, path TEXT, fingerprint TEXT,"
                    " size INTEGER, mtime INTEGER, ctime INTEGER, inode INTEGER, audited TEXT,"
                    " digest TEXT, reads TEXT, PRIMARY KEY (out_dir, path))"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS stamps (out_dir TEXT PRIMARY KEY, inputs TEXT,"
                    " output TEXT, files BLOB, summary TEXT)"
                )
                db.commit()
                return db
            except (sqlite3.Error, OSError):
                # Corrupt, foreign or unreadable: start again from nothing.
                with contextlib.suppress(OSError):
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)
        return None

    # ------------------------------------------------------------ front matter

    def front_matter(self, keys: Sequence[str]) -> dict[str, str]:
        """The remembered splits among `keys` (sources.discover checks each before use)."""
        return self._values("front_matter", keys)

    def store_front_matter(self, items: Mapping[str, str]) -> None:
        if self._db is None or not items:
            return
        with contextlib.suppress(sqlite3.Error):
            self._db.executemany(
                "INSERT OR REPLACE INTO front_matter VALUES (?, ?)", list(items.items())
            )

    def _values(self, table: str, keys: Sequence[str]) -> dict[str, str]:
        """key -> value of a (key, value) table, for the keys it has as text."""
        rows = self._rows(table, "value", keys)
        return {key: row[0] for key, row in rows.items() if isinstance(row[0], str)}

    def _rows(
        self, table: str, columns: str, keys: Sequence[str], where: str = ""
    ) -> dict[str, tuple[object, ...]]:
        """key -> the row's `columns`, for the keys the table has (and rows meeting `where`);
        an unreadable table has none."""
        if self._db is None or not keys:
            return {}
        found: dict[str, tuple[object, ...]] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, {columns} FROM {table} WHERE key IN ({marks}){where}", chunk
                )
                found.update((row[0], row[1:]) for row in rows if isinstance(row[0], str))
        except sqlite3.Error:
            return found
        return found

    # ------------------------------------------------------------ Markdown

    def rendered(self, keys: Sequence[str]) -> dict[str, Rendered]:
        """The cached renderings among `keys`; anything unreadable is a miss."""
        # Imported here, as in store_rendered: `up_to_date` reads the cache without the
        # Markdown libraries, which take longer to load than its whole check.
        from journeyblog.markdown import rendered_from_row

        found: dict[str, Rendered] = {}
        rows = self._rows("markdown", "html, search_words, rest", keys)
        for key, (html, words, rest) in rows.items():
            rendered = rendered_from_row(key, html, words, rest)
            if rendered is not None:
                found[key] = rendered
        return packed_together_in_runs(found)

    def store_rendered(self, items: Mapping[str, Rendered]) -> None:
        """Keep `items` (key -> a rendering made this build, its body keyed)."""
        from journeyblog.markdown import rendered_to_row

        if self._db is None or not items:
            return
        with contextlib.suppress(sqlite3.Error):  # a cache that cannot keep them only costs
            self._db.executemany(
                "INSERT OR REPLACE INTO markdown VALUES (?, ?, ?, ?)",
                ((key, *rendered_to_row(value)) for key, value in items.items()),
            )

    # ------------------------------------------------------------ audit sentences

    # ------------------------------------------------------------ outputs

    def fingerprints(self, out_dir: str) -> dict[str, Recorded]:
        """What the last build recorded of each file it wrote to out_dir, if still there.

        `audit` is None if the file's bytes changed since that build: its stat is not what
        the build left and its bytes' digest is not what it recorded (edited by hand). A file
        only touched or copied back (a new stat, the same bytes) keeps its audit.
        """
        if self._db is None:
            return {}
        try:
            rows = self._db.execute(
                "SELECT path, fingerprint, size, mtime, ctime, inode, audited, digest, reads"
                " FROM outputs WHERE out_dir = ?",
                (out_dir,),
            ).fetchall()
        except sqlite3.Error:
            return {}
        self._outputs_read[out_dir] = {path: tuple(row) for path, *row in rows}
        found: dict[str, Recorded] = {}
        for path, fingerprint, size, mtime, ctime, inode, audited, digest, reads in rows:
            where = os.path.join(out_dir, path)
            try:
                stat = os.stat(where)
                same = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino) == (
                    size,
                    mtime,
                    ctime,
                    inode,
                )
                if not same and stat.st_size == size:  # only read what may be the same
                    with open(where, "rb") as file:
                        same = bytes_digest(file.read()) == digest
            except OSError:
                continue
            found[path] = Recorded(str(fingerprint), audited if same else None, str(digest), reads)
        return found

    def store_fingerprints(
        self,
        out_dir: str,
        items: Iterable[tuple[str, str, str, str | None]],
        audit: str,
        stats: Mapping[str, os.stat_result] | None = None,
    ) -> None:
        """Record the fingerprints and bytes' digests (`items`: path, fingerprint, digest,
        and what a page's rendering read, Recorded.reads) of
        the files just written to out_dir and passed by the audit `audit` (Auditor.digest),
        with their stat (from `stats`, by path, when the caller has taken it already).

        Only the rows that differ from the last build's are written: after an edit, a few
        of a large site's 25,000.
        """
        if self._db is None:
            return
        recorded = self._outputs_read.pop(out_dir, None)  # as `fingerprints` read them, if it did
        if recorded is None:
            try:
                recorded = {
                    path: tuple(row)
                    for path, *row in self._db.execute(
                        "SELECT path, fingerprint, size, mtime, ctime, inode, audited, digest,"
                        " reads FROM outputs WHERE out_dir = ?",
                        (out_dir,),
                    )
                }
            except sqlite3.Error:
                recorded = {}
        known = stats or {}
        rows = []
        for path, fingerprint, digest, reads in items:
            stat = known.get(path)
            if stat is None:
                try:
                    stat = os.stat(os.path.join(out_dir, path))
                except OSError:
                    continue
            row = (
                fingerprint,
                stat.st_size,
                stat.st_mtime_ns,
                stat.st_ctime_ns,
                stat.st_ino,
                audit,
                digest,
                reads,
            )
            if recorded.pop(path, None) != row:
                rows.append((out_dir, path, *row))
        with contextlib.suppress(sqlite3.Error):
            self._db.executemany(
                "DELETE FROM outputs WHERE out_dir = ? AND path = ?",
                ((out_dir, path) for path in recorded),  # what this build no longer wrote
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    # ------------------------------------------------------------ stamps

    def stamp(self, out_dir: str) -> tuple[str, str, tuple[str, ...], str] | None:
        """(inputs, output, files, summary) recorded by the last build into out_dir."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT inputs, output, files, summary FROM stamps WHERE out_dir = ?", (out_dir,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not isinstance(row[2], bytes):
            return None
        inputs, output, files, summary = row
        try:
            names = tuple(zlib.decompress(files).decode().split("\n")) if files else ()
        except (zlib.error, UnicodeDecodeError):
            return None
        if not all(isinstance(value, str) for value in (inputs, output, summary)):
            return None
        return inputs, output, names, summary

    def store_stamp(
        self, out_dir: str, inputs: str, output: str, files: Iterable[str], summary: str
    ) -> None:
        """Record the last build into out_dir, and forget output folders that are gone
        (each `serve` builds into a temporary folder of its own)."""
        if self._db is None:
            return
        listed = zlib.compress("\n".join(sorted(files)).encode())
        with contextlib.suppress(sqlite3.Error):
            self._db.execute(
                "INSERT OR REPLACE INTO stamps VALUES (?, ?, ?, ?, ?)",
                (out_dir, inputs, output, listed, summary),
            )
            known = {
                row[0]
                for table in ("stamps", "outputs")
                for row in self._db.execute(f"SELECT DISTINCT out_dir FROM {table}")
            }
            for gone in sorted(folder for folder in known if not Path(str(folder)).is_dir()):
                self._db.execute("DELETE FROM stamps WHERE out_dir = ?", (gone,))
                self._db.execute("DELETE FROM outputs WHERE out_dir = ?", (gone,))


def packed_together_in_runs(items: Mapping[str, Rendered], run: int = 500) -> dict[str, Rendered]:
    """The same renderings, the bodies of each `run` of them packed in one buffer
    (model.packed_together): what forked workers share without copying it."""
    from journeyblog.model import packed_together  # the up-to-date check does without it

    keys = list(items)
    together: dict[str, Rendered] = {}
    for start in range(0, len(keys), run):
        chunk = keys[start : start + run]
        bodies = packed_together([items[key].body for key in chunk])
        together.update(
            (key, dataclasses.replace(items[key], body=body))
            for key, body in zip(chunk, bodies, strict=True)
        )
    return together
