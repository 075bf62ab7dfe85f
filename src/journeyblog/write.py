"""The one writer: every file of a build goes through `write_site`.

It writes into a staging folder beside the output (`.output.staging`), refuses any path that
would land outside it, and only then swaps the staging folder in with one atomic rename
exchange. A failure, Ctrl-C or SIGKILL before the swap leaves the previous output exactly as
it was. A file whose bytes did not change is hard-linked from the previous output, so its
mtime stays and rsync or a CDN sync only sends what changed; files the build no longer makes
simply are not in the new folder. On a large site the workers that make the files put them in
the staging folder themselves (`stage_file`), so their bytes never cross back to this process.

`update_in_place` is the dev server's writer: its folder is private, so instead of a whole new
tree it replaces only the files whose bytes changed (each with one rename) and deletes the
stale ones, after the same checks and the same `before_swap`, so a failed build changes nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import posixpath
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from journeyblog.errors import UnsafePath
from journeyblog.model import Output

MANIFEST_NAME = "publication-manifest.json"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int  # files whose bytes are new or changed
    unchanged: int  # files kept from the previous output


def staging_dir(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.staging")


def target_path(root: Path, relative: str) -> Path:
    """root/relative, or UnsafePath if that is not strictly inside root.

    Decided on the normalised path, not string prefixes ("/out-evil" is not inside "/out"),
    and without asking the file system: root is the fresh staging folder, which holds no
    symlink to follow, so ".." is the only way out of it.
    """
    if not relative or "\0" in relative or relative.startswith(("/", "\\")):
        raise UnsafePath(relative)
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith(("../", "/")):
        raise UnsafePath(relative)
    return root / normal


def write_site(
    outputs: Iterable[Output], out_dir: Path, *, before_swap: Callable[[], None] | None = None
) -> WriteReport:
    """Write every output into a fresh staging folder, then swap it in for out_dir.

    `before_swap` runs once everything is staged; if it raises, nothing is published.
    """
    out_dir = out_dir.absolute()
    stage = staging_dir(out_dir)
    if stage.exists():
        shutil.rmtree(stage)  # left by a build that was killed: never trusted
    stage.mkdir(parents=True)
    root = stage.resolve()
    written = unchanged = 0
    folders = {root}
    items = iter(outputs)
    try:
        for output in items:
            target = target_path(root, output.path)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            if output.staged is not None:
                written += output.staged
                unchanged += not output.staged
                continue
            previous = out_dir / output.path
            if output.reused and output.source == previous:
                os.link(previous, target)  # unchanged since the last build: same inode, same mtime
                unchanged += 1
                continue
            data = output.data if output.data is not None else _read(output)
            if _put(target, previous, data):
                written += 1
            else:
                unchanged += 1
        if before_swap is not None:
            before_swap()
        _swap(stage, out_dir)
    finally:
        # Stop the makers first: a worker still staging files would write into the folder
        # after it was removed, and leave it behind.
        close = getattr(items, "close", None)
        if close is not None:
            close()
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return WriteReport(written=written, unchanged=unchanged)


def stage_file(out_dir: Path, relative: str, data: bytes) -> bool:
    """Put one file of the build being written into out_dir's staging folder, from any process.

    For the makers of `write_site`'s outputs (pass them on with `staged` set): call only
    while write_site is consuming those outputs, when the staging folder is fresh. If the
    outputs' iterator has a close(), write_site calls it before it removes an unfinished
    staging folder: it must stop every maker (a generator that ends its worker pool does). True if
    the bytes were written, False if they equal the previous output's and were linked.
    """
    out_dir = out_dir.absolute()
    target = target_path(staging_dir(out_dir), relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    return _put(target, out_dir / relative, data)


def _put(target: Path, previous: Path, data: bytes) -> bool:
    """Write data at target, or hard-link previous there if it holds the same bytes."""
    if _same_bytes(previous, data):
        try:
            os.link(previous, target)  # same inode, same mtime: a sync sends nothing
            return False
        except OSError:
            pass  # another file system, or links not allowed: write a copy
    target.write_bytes(data)
    return True


def update_in_place(
    outputs: Iterable[Output], out_dir: Path, *, before_swap: Callable[[], None] | None = None
) -> WriteReport:
    """Bring out_dir to exactly `outputs`, touching only the files that change.

    Not atomic as a whole (each file is: written beside itself, then renamed over), so it is
    for a folder no one else publishes from. Nothing is written until every output has been
    checked and `before_swap` has returned. Falls back to `write_site` without a previous
    folder.
    """
    out_dir = out_dir.absolute()
    if not out_dir.is_dir() or out_dir.is_symlink():
        return write_site(outputs, out_dir, before_swap=before_swap)
    root = out_dir.resolve()
    keep: set[str] = set()
    changed: list[tuple[Path, bytes]] = []
    unchanged = 0
    for output in outputs:
        assert output.staged is None, "staged outputs are for write_site"
        target = target_path(root, output.path)
        keep.add(posixpath.normpath(output.path))
        if output.reused and output.source == out_dir / output.path:
            unchanged += 1
            continue
        data = output.data if output.data is not None else _read(output)
        if _same_bytes(target, data):
            unchanged += 1
        else:
            changed.append((target, data))
    if before_swap is not None:
        before_swap()
    for target, data in changed:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    _remove_all_but(root, keep)
    return WriteReport(written=len(changed), unchanged=unchanged)


def _remove_all_but(root: Path, keep: set[str]) -> None:
    """Delete every file under root not in `keep` (relative POSIX paths), then empty folders."""
    for folder, folders, files in os.walk(root, topdown=False):
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in files:
            if prefix + name not in keep:
                os.unlink(os.path.join(folder, name))
        for name in folders:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.unlink(path)  # the build never makes links: not ours to keep
            elif not os.listdir(path):
                os.rmdir(path)


def _read(output: Output) -> bytes:
    assert output.source is not None, f"{output.path} has neither data nor source"
    return output.source.read_bytes()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _swap(stage: Path, out_dir: Path) -> None:
    """Put stage at out_dir; afterwards stage holds the previous output (or nothing)."""
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return
    if _exchange(stage, out_dir):
        shutil.rmtree(stage)
        return
    # No atomic exchange here: two renames, the previous output kept until the second is done.
    old = out_dir.with_name(f".{out_dir.name}.previous")
    if old.exists():
        shutil.rmtree(old)
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    shutil.rmtree(old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one step. False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
