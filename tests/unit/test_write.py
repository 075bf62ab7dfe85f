"""write.py: the one writer: stage, refuse escapes, swap atomically."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import assert_spare_shares_only_published_files, snapshot

from journeyblog.engine import write
from journeyblog.engine.parallel import make_all
from journeyblog.engine.write import (
    stage_file,
    staging_dir,
    target_path,
    update_in_place,
    write_site,
)
from journeyblog.errors import UnsafePath
from journeyblog.model import Output


@pytest.mark.parametrize(
    "relative",
    [
        "../escape.html",
        "posts/../../escape.html",
        "../out-evil/index.html",  # a sibling whose name starts with the output's
        "/etc/passwd",
        "\\windows.html",
        "",
        ".",
        "posts/..",
        "a/b/../../../up.html",
        "bad\0name",
    ],
)
def test_target_path_refuses_anything_outside_the_root(tmp_path: Path, relative: str) -> None:
    root = tmp_path / "out"
    root.mkdir()
    with pytest.raises(UnsafePath):
        target_path(root, relative)


def test_target_path_accepts_nested_paths(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    assert target_path(root, "posts/a/index.html") == root / "posts/a/index.html"
    assert target_path(root, "posts/../feed.xml") == root / "feed.xml"


def test_write_site_writes_bytes_and_copies_sources(tmp_path: Path) -> None:
    image = tmp_path / "map.png"
    image.write_bytes(b"\x89PNG-bytes")
    out = tmp_path / "out"
    report = write_site(
        [
            Output("index.html", "<p>Café</p>".encode()),
            Output("posts/a/index.html", b"A"),
            Output("images/map.png", source=image),
        ],
        out,
    )
    assert snapshot(out) == {
        "images/map.png": b"\x89PNG-bytes",
        "index.html": "<p>Café</p>".encode(),
        "posts/a/index.html": b"A",
    }
    assert (report.written, report.unchanged) == (3, 0)
    assert not staging_dir(out).exists()


def test_a_rebuild_replaces_the_output_and_keeps_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([Output("same.html", b"same"), Output("gone.html", b"old"), Output("x", b"1")], out)
    same_inode = (out / "same.html").stat().st_ino
    report = write_site([Output("same.html", b"same"), Output("x", b"2")], out)
    assert snapshot(out) == {"same.html": b"same", "x": b"2"}
    assert (report.written, report.unchanged) == (1, 1)
    assert (out / "same.html").stat().st_ino == same_inode  # mtime kept for rsync and CDNs
    assert_spare_shares_only_published_files(out)


def test_an_unsafe_path_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([Output("index.html", b"good"), Output("posts/a/index.html", b"A")], out)
    before = snapshot(out)
    with pytest.raises(UnsafePath):
        write_site(
            [Output("index.html", b"new"), Output("../../etc/passwd", b"root::0:0")],
            out,
        )
    assert snapshot(out) == before
    assert not staging_dir(out).exists()
    assert not (tmp_path / "etc").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_staging_folder_left_by_a_killed_build_is_not_trusted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stage = staging_dir(out)
    stage.mkdir(parents=True)
    (stage / "stale.html").write_bytes(b"from a killed build")
    write_site([Output("index.html", b"fresh")], out)
    assert snapshot(out) == {"index.html": b"fresh"}
    assert not stage.exists()


def test_the_spare_keeps_nothing_the_output_no_longer_publishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = {"index.html": b"home", "posts/a/index.html": b"A", "posts/secret/index.html": b"S"}
    write_site([Output(path, data) for path, data in first.items()], out)
    second = {"index.html": b"home", "posts/a/index.html": b"A, edited"}
    write_site([Output(path, data) for path, data in second.items()], out)

    assert snapshot(out) == second
    assert_spare_shares_only_published_files(out)
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in everything if p.read_bytes() in (b"S", b"A")], "old bytes kept"
    assert not [p for p in tmp_path.rglob("*") if "secret" in p.name], "old folder kept"


def test_a_recycled_staging_folder_reuses_its_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages = [Output(f"posts/{n}/index.html", b"page %d" % n) for n in range(3)]
    write_site(pages, out)
    write_site(pages, out)  # the first build's output is now the spare
    spare_folder = staging_dir(out) / "posts" / "1"
    assert spare_folder.is_dir()
    folder_inode = spare_folder.stat().st_ino

    report = write_site([*pages[:2], Output("posts/1/extra.html", b"new")], out)

    assert (out / "posts" / "1").stat().st_ino == folder_inode  # not made again
    assert (report.written, report.unchanged) == (1, 2)
    assert snapshot(out) == {
        "posts/0/index.html": b"page 0",
        "posts/1/index.html": b"page 1",
        "posts/1/extra.html": b"new",
    }
    assert_spare_shares_only_published_files(out)


def test_a_recycled_staging_folder_never_touches_the_live_output_before_the_swap(
    tmp_path: Path,
) -> None:
    """The spare's files are the live files themselves: a change must replace, not write into."""
    out = tmp_path / "out"
    pages = {"a.html": b"A", "b/index.html": b"B"}
    write_site([Output(path, data) for path, data in pages.items()], out)
    write_site([Output(path, data) for path, data in pages.items()], out)
    assert (staging_dir(out) / "a.html").stat().st_ino == (out / "a.html").stat().st_ino

    seen_before_swap: list[dict[str, bytes]] = []
    write_site(
        [Output("a.html", b"A, changed"), Output("b/index.html", b"B, changed")],
        out,
        before_swap=lambda: seen_before_swap.append(snapshot(out)),
    )
    assert seen_before_swap == [pages]
    assert snapshot(out) == {"a.html": b"A, changed", "b/index.html": b"B, changed"}


@pytest.mark.parametrize("readied", [False, True], ids=["in write_site", "beside the build"])
def test_without_a_spare_one_is_made_from_the_live_output_which_stays_untouched(
    tmp_path: Path, readied: bool
) -> None:
    """The first build after a cold one: the live output's folders and files, linked."""
    out = tmp_path / "out"
    pages = {"a.html": b"A", "b/index.html": b"B", "c/d/index.html": b"D", "gone.html": b"G"}
    write_site([Output(path, data) for path, data in pages.items()], out)
    assert not staging_dir(out).exists()
    before = {path: (out / path).stat() for path in pages}

    seen_before_swap: list[dict[str, bytes]] = []
    staging = write.StagingFolder(out) if readied else None
    report = write_site(
        [
            Output("a.html", b"A, changed"),
            Output("b/index.html", source=out / "b/index.html", reused=True),
            Output("c/d/index.html", b"D"),
            Output("e/index.html", b"E"),
        ],
        out,
        before_swap=lambda: seen_before_swap.append(snapshot(out)),
        staging=staging,
    )
    if staging is not None:
        staging.finish()  # the spare is trimmed beside what follows the swap

    assert seen_before_swap == [pages]  # the old "a.html" was replaced, never written into
    assert snapshot(out) == {
        "a.html": b"A, changed",
        "b/index.html": b"B",
        "c/d/index.html": b"D",
        "e/index.html": b"E",
    }
    assert (report.written, report.unchanged) == (2, 2)
    for kept in ("b/index.html", "c/d/index.html"):  # the very files: a sync sends nothing
        now = (out / kept).stat()
        assert (now.st_ino, now.st_mtime_ns) == (before[kept].st_ino, before[kept].st_mtime_ns)
    assert_spare_shares_only_published_files(out)


def test_a_staging_folder_readied_beside_a_failed_build_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site([Output("a.html", b"A")], out)
    write.StagingFolder(out).discard()
    assert not staging_dir(out).exists()
    assert snapshot(out) == {"a.html": b"A"}


def test_a_tampered_spare_is_not_trusted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    pages = {"a.html": b"A", "posts/p/index.html": b"P"}
    for _ in range(2):
        write_site([Output(path, data) for path, data in pages.items()], out)
    spare = staging_dir(out)
    (spare / "a.html").unlink()
    (spare / "a.html").write_bytes(b"planted")  # another file at a published path
    (spare / "planted.html").write_bytes(b"planted")
    shutil.rmtree(spare / "posts")
    (spare / "posts").symlink_to(outside, target_is_directory=True)  # a way out
    (spare / "feed.xml").symlink_to(outside / "feed.xml")

    write_site(
        [*(Output(path, data) for path, data in pages.items()), Output("feed.xml", b"F")], out
    )

    assert snapshot(out) == {**pages, "feed.xml": b"F"}
    assert list(outside.iterdir()) == []
    assert_spare_shares_only_published_files(out)


def test_a_link_in_the_live_output_is_never_taken_for_an_unchanged_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "feed.xml").write_bytes(b"F")  # the very bytes the build makes
    write_site([Output("feed.xml", b"F")], out)
    (out / "feed.xml").unlink()
    (out / "feed.xml").symlink_to(outside / "feed.xml")

    report = write_site([Output("feed.xml", b"F")], out)

    assert not (out / "feed.xml").is_symlink()
    assert (out / "feed.xml").read_bytes() == b"F"
    assert report.written == 1


def test_the_output_folder_may_be_given_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_site([Output("index.html", b"here")], Path("public"))
    assert (tmp_path / "public/index.html").read_bytes() == b"here"


def test_in_place_changes_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = [
        Output("same.html", b"same"),
        Output("posts/gone/index.html", b"old"),
        Output("posts/kept/index.html", b"1"),
        Output("x", b"1"),
    ]
    update_in_place(first, out)  # no folder yet: written whole
    same = (out / "same.html").stat()
    report = update_in_place(
        [
            Output("same.html", b"same"),
            Output("posts/kept/index.html", b"1"),
            Output("x", b"2"),
            Output("new/deep/file.txt", b"new"),
        ],
        out,
    )
    assert snapshot(out) == {
        "same.html": b"same",
        "posts/kept/index.html": b"1",
        "x": b"2",
        "new/deep/file.txt": b"new",
    }
    assert (report.written, report.unchanged) == (2, 2)
    assert (out / "same.html").stat().st_mtime_ns == same.st_mtime_ns  # untouched
    assert not (out / "posts/gone").exists()  # the emptied folder goes with its file
    assert not [path for path in out.rglob("*") if ".partial" in path.name]


def test_in_place_writes_nothing_when_a_check_fails(tmp_path: Path) -> None:
    out = tmp_path / "out"
    update_in_place([Output("index.html", b"good"), Output("a.html", b"A")], out)
    before = snapshot(out)

    def leak_found() -> None:
        raise RuntimeError("the audit found a withheld title")

    with pytest.raises(RuntimeError):
        update_in_place([Output("index.html", b"changed")], out, before_swap=leak_found)
    with pytest.raises(UnsafePath):
        update_in_place([Output("index.html", b"new"), Output("../evil", b"x")], out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _staged_by_makers(out: Path, files: dict[str, bytes]) -> list[Output]:
    """What build's makers do on a large site: put each file in the staging folder."""
    return [Output(path, staged=stage_file(out, path, data)) for path, data in files.items()]


def test_files_staged_by_their_makers_are_published_and_counted(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site([Output("same.html", b"same"), Output("old.html", b"old")], out)
    same_before = (out / "same.html").stat()

    def outputs() -> Iterator[Output]:  # made lazily, as build's stream is, inside write_site
        yield from _staged_by_makers(out, {"same.html": b"same", "posts/a/index.html": b"A"})
        yield Output("robots.txt", b"User-agent: *\n")

    report = write_site(outputs(), out)

    assert snapshot(out) == {
        "same.html": b"same",
        "posts/a/index.html": b"A",
        "robots.txt": b"User-agent: *\n",
    }
    assert (out / "same.html").stat().st_ino == same_before.st_ino  # linked, mtime kept
    assert (report.written, report.unchanged) == (2, 1)
    assert_spare_shares_only_published_files(out)


def test_stage_file_refuses_a_path_outside_the_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"

    def outputs() -> Iterator[Output]:
        yield from _staged_by_makers(out, {"../escape.html": b"x"})

    with pytest.raises(UnsafePath):
        write_site(outputs(), out)
    assert not (tmp_path / "escape.html").exists()
    assert not out.exists()


def test_unsafe_path_crosses_a_process_boundary_unchanged() -> None:
    error = pickle.loads(pickle.dumps(UnsafePath("../x")))
    assert error.path == "../x"
    assert str(error) == "refusing to write outside the output folder: '../x'"


def test_a_failed_write_stops_the_workers_before_removing_the_staging_folder(
    tmp_path: Path,
) -> None:
    """Workers run ahead of the writer: if it stops early, none may stage files afterwards."""
    out = tmp_path / "out"
    write_site([Output("index.html", b"before")], out)

    def maker(index: int) -> Callable[[], bool]:
        def make() -> bool:
            time.sleep(0.005)
            return stage_file(out, f"posts/{index}.html", b"page %d" % index)

        return make

    def outputs() -> Iterator[Output]:
        staged = make_all([maker(index) for index in range(400)], jobs=2, min_items=1)
        with contextlib.closing(staged):
            for index, written in enumerate(staged):
                yield Output(f"posts/{index}.html", staged=written)
                if index == 5:
                    yield Output("../escape.html", b"x")

    # The traceback is kept, as a caller reporting the error would: it holds the writer's
    # frame and with it the iterator, so only write_site itself can stop the workers.
    with pytest.raises(UnsafePath) as raised:
        write_site(outputs(), out)
    time.sleep(0.3)  # long enough for a stray worker to stage dozens of files
    assert not staging_dir(out).exists()
    assert raised.value.path == "../escape.html"
    assert snapshot(out) == {"index.html": b"before"}


@pytest.mark.parametrize("by_makers", [False, True])
def test_a_path_may_turn_from_file_to_folder_and_back_between_builds(
    tmp_path: Path, by_makers: bool
) -> None:
    """A static file `notes` becomes `notes/index.html`, and back, with a spare in between."""
    out = tmp_path / "out"

    def build(files: dict[str, bytes]) -> None:
        def outputs() -> Iterator[Output]:
            if by_makers:
                yield from _staged_by_makers(out, files)
            else:
                yield from (Output(path, data) for path, data in files.items())

        write_site(outputs(), out)
        assert snapshot(out) == files
        assert_spare_shares_only_published_files(out)

    as_file = {"index.html": b"home", "notes": b"plain notes", "a/b": b"deep file"}
    as_folder = {"index.html": b"home", "notes/index.html": b"notes page", "a/b/c.html": b"C"}
    for files in (as_file, as_file, as_folder, as_file, as_folder):
        build(files)


def test_a_file_that_appears_at_the_target_is_replaced_never_written_into(tmp_path: Path) -> None:
    """Between looking at a staged path and writing it, a link to a live file may appear there
    (a killed build's worker finishing late): writing through it would change the live site."""
    live = tmp_path / "out/index.html"
    live.parent.mkdir()
    live.write_bytes(b"live")
    staged = tmp_path / "stage/index.html"
    staged.parent.mkdir()
    os.link(live, staged)
    assert write._put(staged, live, b"new", None)  # None: it looked, and nothing was there
    assert live.read_bytes() == b"live"
    assert staged.read_bytes() == b"new"
