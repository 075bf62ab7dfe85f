"""The one writer: every file of a build goes through `write_site`.

It writes into a staging folder beside the output (`.output.staging`), refuses any path that
would land outside it, and only then swaps the staging folder in with one atomic rename
exchange. A failure, Ctrl-C or SIGKILL before the swap leaves the previous output exactly as
it was. A file whose bytes did not change is hard-linked from the previous output, so its
mtime stays and rsync or a CDN sync only sends what changed; files the build no longer makes
simply are not in the new folder. On a large site the workers that make the files put them in
the staging folder themselves (`stage_file`), so their bytes never cross back to this process.

After the swap the staging folder holds the previous output. It is kept as the spare for the
next build, trimmed to the files it shares with the new output (hard links) and the new
output's folders: nothing the build no longer publishes stays beside the output, and the next
build finds its 12,000 folders made and most files in place instead of creating and deleting
them all. The next build trusts nothing in it but a file that is the live file itself. Where
there is no spare but an output (the first build after a cold one, or the spare deleted), one
is made from the output, folders and hard links; `StagingFolder` readies it in a process of
its own while the build reads and plans.

`update_in_place` is the dev server's writer: its folder is private, so instead of a whole new
tree it replaces only the files whose bytes changed (each with one rename) and deletes the
stale ones, after the same checks and the same `before_swap`, so a failed build changes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import posixpath
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from journeyblog.engine.parallel import Background
from journeyblog.errors import UnsafePath
from journeyblog.model import Output, WriteReport

StrPath = str | os.PathLike[str]


def staging_dir(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.staging")


def target_path(root: Path, relative: str) -> Path:
    """root/relative, or UnsafePath if that is not strictly inside root.

    Decided on the normalised path, not string prefixes ("/out-evil" is not inside "/out"),
    and without asking the file system: root is the staging folder, from which write_site
    removes every symlink before a file is written, so ".." is the only way out of it.
    """
    return root / check_relative(relative)


def check_relative(relative: str) -> str:
    """relative, normalised, or UnsafePath if it could lead out of the folder it is under."""
    if not relative or "\0" in relative or relative.startswith(("/", "\\")):
        raise UnsafePath(relative)
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith(("../", "/")):
        raise UnsafePath(relative)
    if any(
        len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME for name in normal.split("/")
    ):
        raise UnsafePath(relative, "a name in this path is longer than a file system allows")
    return normal


MAX_FILE_NAME = 255  # bytes, on every common file system


class StagingFolder:
    """out_dir's staging folder, readied (`_recycled`) in a process of its own from the start
    of a build, while the build reads, assembles and plans.

    Readying it is file-system work: a walk of the spare, or, where the last build left
    none, a folder and a hard link for each of the live output's (bench/LOG.md). With
    `beside`, in a process of its own (`parallel.Background`), it runs on a second core
    beside the build instead of after it;
    without, when `write_site` asks for it (for a small output that costs more than it saves).
    Start it only once out_dir is known to be journeyblog's output.

    After the swap it holds the previous output, which `write_site` has trimmed (`trim`, a
    walk of 37,000 entries at 10,000 posts) likewise beside what the build does next; call
    `finish` to wait for that before the build ends.
    """

    def __init__(self, out_dir: Path, *, beside: bool = True) -> None:
        self.out_dir = out_dir.absolute()
        self._beside = beside
        self._readying = Background(
            _recycled, staging_dir(self.out_dir), self.out_dir, separate=beside
        )
        self._trimming: Background[None] | None = None

    def contents(self) -> tuple[dict[str, int], set[str]]:
        """The files (relative path -> inode) and folders it holds, once it is ready."""
        return self._readying.result()

    def trim(self, linked: set[str], folders: set[str]) -> None:
        """After the swap, when it holds the previous output: cut it down to the files it
        shares with the new one (`_keep_only_published`), with `beside` in a process of its
        own while the build records what it wrote. `finish` waits for it."""
        spare = staging_dir(self.out_dir)
        self._trimming = Background(
            _keep_only_published, spare, linked, folders, separate=self._beside
        )

    def finish(self) -> None:
        """Wait for the trim: a build is not over before the spare holds only published files."""
        if self._trimming is not None:
            self._trimming.result()
            self._trimming = None

    def discard(self) -> None:
        """For a build that fails: remove it, as a failed write does."""
        self._readying.stop()
        if self._trimming is not None:
            self._trimming.stop()
        shutil.rmtree(staging_dir(self.out_dir), ignore_errors=True)


def write_site(
    outputs: Iterable[Output],
    out_dir: Path,
    *,
    before_swap: Callable[[], None] | None = None,
    staging: StagingFolder | None = None,
) -> WriteReport:
    """Write every output into the staging folder, then swap it in for out_dir.

    `before_swap` runs once everything is staged; if it raises, nothing is published.

    The staging folder left by the last build (the spare, see `_recycled`) is reused: its
    folders stay and so do its files that are the very files of the current output, so an
    edit build does not create and delete a folder per page. Anything else in it is replaced
    or removed before the swap, and a failed build removes it. `staging`, if given, is that
    folder readied already (for out_dir).
    """
    out_dir = out_dir.absolute()
    stage = staging_dir(out_dir)
    if staging is not None:
        assert staging.out_dir == out_dir, "readied for another output folder"
        held, held_folders = staging.contents()
    else:
        held, held_folders = _recycled(stage, out_dir)
    root = stage.resolve()
    existing = {"", *held_folders}  # folders already in the staging folder
    needed = {""}  # folders of this build's output
    linked: set[str] = set()  # files this build shares with the previous output
    written = unchanged = pages = 0
    swapped = False
    items = iter(outputs)
    # Paths as text in this loop: it runs once a file, 25,000 times on a large site, and a
    # pathlib join costs more than the link or stat it leads to.
    root_text, out_text = str(root), str(out_dir)
    try:
        for output in items:
            relative = check_relative(output.path)
            target = f"{root_text}/{relative}"
            folder = posixpath.dirname(relative)
            if folder not in needed:
                needed.update(_with_ancestors(folder))
                if folder not in existing:
                    _make_folder(root, folder)
                    existing.update(_with_ancestors(folder))
            inode = held.pop(relative, None)
            if relative in held_folders:  # an earlier output's folder where this file goes
                held_folders.discard(relative)
                if output.staged is None:
                    _clear(target)  # (a maker that staged the file has cleared it already)
            previous = f"{out_text}/{relative}"
            if output.staged is not None:
                fresh = output.staged
            elif (
                output.reused
                and output.source is not None
                and str(output.source) == previous
                and _link(previous, target, inode)
            ):
                fresh = False  # unchanged since the last build: same inode, same mtime
            else:
                data = output.data if output.data is not None else _read(output)
                fresh = _put(target, previous, data, inode)
            if fresh:
                written += 1
                pages += relative.endswith(".html")
            else:
                unchanged += 1
                linked.add(relative)
        _remove(root, held, held_folders - needed)  # left from before, not made by this build
        if before_swap is not None:
            before_swap()
        spare = _swap(stage, out_dir)
        swapped = True
    finally:
        # Stop the makers first: a worker still staging files would write into the folder
        # after it was removed, and leave it behind.
        close = getattr(items, "close", None)
        if close is not None:
            close()
        if not swapped and stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    if spare:
        if staging is not None:
            staging.trim(linked, needed)  # the caller's staging.finish() waits for it
        else:
            _keep_only_published(stage, linked, needed)
    return WriteReport(written=written, unchanged=unchanged, pages=pages)


def stage_file(out_dir: Path, relative: str, data: bytes) -> bool:
    """Put one file of the build being written into out_dir's staging folder, from any process.

    For the makers of `write_site`'s outputs (pass them on with `staged` set): call only
    while write_site is consuming those outputs, once it has readied the staging folder. If
    the outputs' iterator has a close(), write_site calls it before it removes an unfinished
    staging folder: it must stop every maker (a generator that ends its worker pool does).
    True if the bytes were written, False if they equal the previous output's and were linked.
    """
    out_dir = out_dir.absolute()
    stage = staging_dir(out_dir)
    normal = check_relative(relative)
    target = stage / normal
    _make_folder(stage, posixpath.dirname(normal))
    try:
        held: int | None = target.lstat().st_ino
    except FileNotFoundError:
        held = None
    return _put(target, out_dir / relative, data, held)


def _make_folder(root: Path, folder: str) -> None:
    """mkdir -p root/folder; a file of an earlier output in the way is removed."""
    path = root / folder if folder else root
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for ancestor in reversed(list(_with_ancestors(folder))):
            if not (root / ancestor).is_dir():
                _clear(root / ancestor)
        path.mkdir(parents=True, exist_ok=True)


def _clear(path: StrPath) -> None:
    """Remove whatever is at path (a file, or a folder of an earlier output)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def _put(target: StrPath, previous: StrPath, data: bytes, held: int | None) -> bool:
    """Write data at target, or hard-link previous there if it holds the same bytes.

    `held` is the inode of the file already at target (in a recycled staging folder), if any.
    True if the bytes were written.
    """
    if _same_bytes(previous, data) and _link(previous, target, held):
        return False
    if held is not None:
        _clear(target)  # never write into it: it may be the live output's own file, linked
    try:
        _create(target, data)
    except FileExistsError:  # put there since it was looked at: replace it, never write into it
        _clear(target)
        _create(target, data)
    return True


def _create(target: StrPath, data: bytes) -> None:
    """A new file at target holding data; FileExistsError if anything is there already."""
    with open(target, "xb") as file:
        file.write(data)


def _link(previous: StrPath, target: StrPath, held: int | None) -> bool:
    """Make target the very file at previous; False if links are not possible here."""
    if held is not None:
        try:
            if os.stat(previous).st_ino == held:
                return True  # the recycled staging folder has it already
        except FileNotFoundError:
            return False
        _clear(target)
    try:
        os.link(previous, target)  # same inode, same mtime: a sync sends nothing
        return True
    except OSError:
        return False  # another file system, or links not allowed: write a copy


def _recycled(stage: Path, out_dir: Path) -> tuple[dict[str, int], set[str]]:
    """Ready the staging folder: the files (relative path -> inode) and folders it holds.

    After a build the staging folder holds the previous output minus every file the new
    output does not share with it (`_keep_only_published`): the spare, hard links and folders
    only. It is reused when the output folder exists. Its contents are never trusted: a file
    survives only if it is the live output's very file (same inode) where the build reuses
    that file, and links, devices and the like are removed before any file is written, so
    no write follows them. Without an output folder it starts empty; with one but no spare
    (the first build after a cold one), a spare is made from the output (`_mirrored`).
    """
    has_output = out_dir.is_dir() and not out_dir.is_symlink()
    if stage.is_symlink() or (stage.exists() and not stage.is_dir()):
        stage.unlink()
    elif stage.is_dir() and not has_output:
        shutil.rmtree(stage)  # no output to share files with: nothing worth keeping
    if stage.exists():
        return _walk(stage)
    if has_output:
        return _mirrored(stage, out_dir)
    stage.mkdir(parents=True)
    return {}, set()


def _mirrored(stage: Path, out_dir: Path) -> tuple[dict[str, int], set[str]]:
    """A new staging folder holding out_dir's folders and, hard-linked, its files: the spare
    a build would have left. Empty where links are not possible (another file system)."""
    stage.mkdir(parents=True)
    files: dict[str, int] = {}
    folders: set[str] = set()
    stage_root = str(stage)
    try:
        for relative, entry in _entries(out_dir):
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(f"{stage_root}/{relative}")
                folders.add(relative)
            elif entry.is_file(follow_symlinks=False):
                os.link(entry.path, f"{stage_root}/{relative}")
                files[relative] = entry.inode()
    except OSError:
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        return {}, set()
    return files, folders


def _walk(root: Path) -> tuple[dict[str, int], set[str]]:
    """Files (relative path -> inode) and folders under root; anything else is removed."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    for relative, entry in _entries(root):
        if entry.is_dir(follow_symlinks=False):
            folders.add(relative)
        elif entry.is_file(follow_symlinks=False):
            files[relative] = entry.inode()
        else:
            os.unlink(entry.path)  # a link or a device: the build makes neither
    return files, folders


def _entries(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of everything under root, a folder before what it holds;
    links to folders are not followed."""
    top = str(root)
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(f"{top}/{folder}" if folder else top) as entries:
            for entry in entries:
                relative = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(relative)
                yield relative, entry


def _remove(root: Path, files: Iterable[str], folders: Iterable[str]) -> None:
    """Delete these files under root, then these folders (deepest first, with what is left)."""
    for relative in files:
        # Gone already, or a folder now: this build made a folder where a file was.
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(root / relative)
    for relative in sorted(folders, key=lambda folder: folder.count("/"), reverse=True):
        path = root / relative
        if path.is_symlink() or not path.is_dir():
            continue  # gone already, or a file now: this build wrote one where a folder was
        try:
            path.rmdir()
        except OSError:
            shutil.rmtree(path, ignore_errors=True)


def _keep_only_published(spare: Path, linked: set[str], folders: set[str]) -> None:
    """Trim the previous output, now in the staging folder, to what is still published.

    Only the files shared with the new output (`linked`) and the new output's folders stay,
    so no page, feed or folder name the build no longer publishes is left beside the output.
    """
    try:
        _remove_all_but(spare, linked, folders)
    except OSError:
        shutil.rmtree(spare, ignore_errors=True)


def _with_ancestors(folder: str) -> Iterator[str]:
    while folder:
        yield folder
        folder = posixpath.dirname(folder)


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
    folders = {folder for path in keep for folder in _with_ancestors(posixpath.dirname(path))}
    _remove_all_but(root, keep, folders)
    pages = sum(1 for target, _ in changed if target.suffix == ".html")
    return WriteReport(written=len(changed), unchanged=unchanged, pages=pages)


def _remove_all_but(root: Path, files: set[str], folders: set[str]) -> None:
    """Delete everything under root but these files and folders (relative POSIX paths).

    Links go too, wherever they are: the build never makes one.
    """
    held_files, held_folders = _walk(root)
    _remove(root, (path for path in held_files if path not in files), held_folders - folders)


def _read(output: Output) -> bytes:
    assert output.source is not None, f"{output.path} has neither data nor source"
    return output.source.read_bytes()


def _same_bytes(path: StrPath, data: bytes) -> bool:
    """Whether path is a regular file (not a link) holding exactly data."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _swap(stage: Path, out_dir: Path) -> bool:
    """Put stage at out_dir. True if stage now holds the previous output, else it is gone."""
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return False
    if _exchange(stage, out_dir):
        return True
    # No atomic exchange here: two renames, the previous output kept until the second is done.
    old = out_dir.with_name(f".{out_dir.name}.previous")
    if old.exists():
        shutil.rmtree(old)
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    shutil.rmtree(old)
    return False


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
