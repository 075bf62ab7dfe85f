"""The dev server's site in memory (engine/live.py): after every save, each file it serves
is the file a build from scratch writes, byte for byte, and nothing else is served."""

from __future__ import annotations

import dataclasses
import gc
import os
import random
import threading
import weakref
from pathlib import Path

import pytest
from tests.conftest import MakeSite, post, snapshot
from tests.edits import EDITS, edited_site, replace_in

from journeyblog.engine.incremental import build
from journeyblog.engine.live import LiveSite
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions


def _served(live: LiveSite, out: Path, path: str) -> bytes | None:
    answer = live.answer(path)
    assert not answer.errors, answer.errors
    if answer.data is not None:
        return answer.data
    if answer.folder:
        return (out / path).read_bytes()
    return None


def _assert_serves_what_a_build_writes(
    live: LiveSite, out: Path, scratch: Path, gone: set[str]
) -> None:
    built = snapshot(scratch)
    for path, data in built.items():
        assert _served(live, out, path) == data, path
    for path in gone - set(built):
        assert _served(live, out, path) is None, f"{path} is served but no longer built"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_every_save_each_file_served_is_the_one_a_build_writes(
    make_site: MakeSite, tmp_path: Path, seed: int
) -> None:
    site = edited_site(make_site)
    out = tmp_path / "live"
    live = LiveSite(BuildOptions(site_dir=site, out_dir=out, jobs=1, in_place=True))
    live.build()
    rng = random.Random(seed)
    seen: set[str] = set(snapshot(out))
    in_memory = 0
    for _ in range(14):
        before = {
            path: path.read_bytes() for path in (site / "content").rglob("*") if path.is_file()
        }
        changed = rng.choice(EDITS)(site, rng)
        scratch = tmp_path / "scratch"
        try:
            build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
        except BuildFailed:
            with pytest.raises(BuildFailed):
                if live.update([changed]) is None:
                    live.build()
            for path, data in before.items():  # the author puts it right
                path.write_bytes(data)
            if changed not in before:
                changed.unlink()
            build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
        if live.update([changed]) is None:
            live.build()
        else:
            in_memory += 1
        _assert_serves_what_a_build_writes(live, out, scratch, seen)
        seen |= set(snapshot(scratch))
    assert in_memory >= 10  # the saves were taken in from memory, not by whole builds


def _append(path: Path, text: str) -> Path:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)
    return path


def test_open_pages_are_made_again_only_when_what_they_read_changed(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = LiveSite(BuildOptions(site_dir=site, out_dir=tmp_path / "live", jobs=1, in_place=True))
    live.build()
    part = site / "content" / "posts" / "cloud-2.md"
    open_pages = ["posts/cloud-2/index.html", "about/index.html"]
    # What the first build's pages read is not known: each is made again once.
    assert live.update([_append(part, "\nOne more sentence.\n")], open_pages) == 2
    assert b"One more sentence." in (live.answer(open_pages[0]).data or b"")
    # Then each is made again only if what its rendering read has changed: the about page
    # reads nothing of a post's body.
    assert live.update([_append(part, "\nAnd another.\n")], open_pages) == 1
    assert live.update([part], open_pages) == 0  # saved again, unchanged
    # A title is shown on the about page? No: but every page lists the site's pages.
    about = site / "content" / "pages" / "about.md"
    assert live.update([replace_in(about, "title: About", "title: About us")], open_pages) == 2


def test_a_body_edited_is_taken_in_by_making_its_post_again(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """site.revise: no assemble of the whole site, and the same files as a scratch build;
    an edit that changes more (a new first paragraph, the series' summary of the part) is
    assembled."""
    site = edited_site(make_site)
    out = tmp_path / "live"
    live = LiveSite(BuildOptions(site_dir=site, out_dir=out, jobs=1, in_place=True))
    live.build()
    part = site / "content" / "posts" / "cloud-2.md"
    scratch = tmp_path / "scratch"
    for number, edit in enumerate(
        [
            lambda: _append(part, "\nOne more sentence.\n"),
            lambda: _append(part, "\nSee [the first part](cloud-1.md).\n"),
            lambda: replace_in(part, "Part 2 opens here.", "Part 2 opens anew."),
        ]
    ):
        assert live.update([edit()], ["posts/cloud-2/index.html"]) == 1
        assert live.revised == min(number + 1, 2)
        build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
        _assert_serves_what_a_build_writes(live, out, scratch, set())


def test_a_leak_in_a_page_is_refused_not_served(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = edited_site(make_site)
    live = LiveSite(BuildOptions(site_dir=site, out_dir=tmp_path / "live", jobs=1, in_place=True))
    live.build()
    # A theme that prints what it should not: the withheld post's title, planted in a page.
    import journeyblog.engine.live as live_module

    real = live_module.render_page

    def leaking(*args: object) -> bytes:
        return real(*args).replace(b"</main>", b"Inside only</main>")  # type: ignore[arg-type]

    part = site / "content" / "posts" / "cloud-2.md"
    live.update([_append(part, "\nMore.\n")])  # every page now to be made when asked for
    monkeypatch.setattr(live_module, "render_page", leaking)
    answer = live.answer("about/index.html")  # made on request: refused
    assert answer.data is None and "inside.md" in str(answer.errors)
    with pytest.raises(BuildFailed, match=r"inside\.md"):  # an open page: the save is refused
        live.update([_append(part, "\nMore still.\n")], open_pages=["posts/cloud-2/index.html"])
    monkeypatch.undo()
    served = live.answer("posts/cloud-2/index.html")  # the last good site is kept
    assert served.data is not None and b"Inside only" not in served.data
    assert b"More still." not in served.data


def test_a_change_only_a_whole_build_takes_in_is_left_to_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = LiveSite(BuildOptions(site_dir=site, out_dir=tmp_path / "live", jobs=1, in_place=True))
    live.build()
    config = site / "journeyblog.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("Test Council", "Other"))
    assert live.update([config]) is None
    picture = site / "static" / "x.txt"
    picture.parent.mkdir(exist_ok=True)
    picture.write_text("x")
    assert live.update([picture]) is None


def _live(site: Path, tmp_path: Path) -> LiveSite:
    live = LiveSite(BuildOptions(site_dir=site, out_dir=tmp_path / "live", jobs=1, in_place=True))
    live.build()
    return live


def test_a_refused_save_is_read_again_with_the_next(make_site: MakeSite, tmp_path: Path) -> None:
    site = edited_site(make_site)
    live = _live(site, tmp_path)
    part, other = (
        site / "content" / "posts" / "cloud-2.md",
        site / "content" / "posts" / "standalone.md",
    )
    good = other.read_text(encoding="utf-8")
    # One "save all": a part made Internal, and a typo in another post.
    replace_in(part, "security: Public", "security: Internal")
    replace_in(other, "author: ben", "author: benn")
    with pytest.raises(BuildFailed, match="unknown author"):
        live.update([part, other])
    other.write_text(good, encoding="utf-8")  # the typo put right: only this file is saved
    live.update([other])
    assert live.answer("posts/cloud-2/index.html").data is None  # withheld, as a build has it
    assert b"Cloud part 2" not in (live.answer("index.html").data or b"")


def test_a_failed_whole_build_is_owed_until_one_succeeds(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = _live(site, tmp_path)
    config = site / "journeyblog.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "posts_per_page = 0\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        live.build()
    config.write_text(good, encoding="utf-8")
    part = _append(site / "content" / "posts" / "cloud-2.md", "\nMore.\n")
    assert live.update([part]) is None  # what the failed build read is not to be trusted
    live.build()
    assert live.update([_append(part, "\nAnd more.\n")]) is not None


def test_posts_linked_to_others_are_left_to_whole_builds(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    (site / "content" / "posts" / "mirror.md").symlink_to(
        site / "content" / "posts" / "standalone.md"
    )
    live = _live(site, tmp_path)
    # A save of standalone.md is a save of mirror.md too, which no watcher reports.
    assert live.update([_append(site / "content" / "posts" / "standalone.md", "\nMore.\n")]) is None


def test_files_discover_passes_over_are_passed_over_and_the_rest_read(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = _live(site, tmp_path)
    backup = site / "content" / "posts" / "backup~" / "copy.md"
    backup.parent.mkdir()
    backup.write_text(post("A copy"), encoding="utf-8")
    hidden = site / "content" / "posts" / ".draft.md"
    hidden.write_text(post("Hidden"), encoding="utf-8")
    numbered = site / "content" / "posts" / "#1-intro.md"
    numbered.write_text(post("Intro"), encoding="utf-8")
    assert live.update([backup, hidden, numbered]) is not None
    scratch = tmp_path / "scratch"
    build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
    _assert_serves_what_a_build_writes(live, tmp_path / "live", scratch, {"posts/copy/index.html"})


def test_an_alias_is_left_to_a_whole_build_and_a_clash_refused(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    shadowed = site / "static" / "posts" / "later" / "index.html"
    shadowed.parent.mkdir(parents=True)
    shadowed.write_text("<p>A static page</p>\n", encoding="utf-8")
    live = _live(site, tmp_path)
    part = site / "content" / "posts" / "cloud-2.md"
    assert live.update([replace_in(part, "author: ", "aliases: [/feed.xml]\nauthor: ")]) is None
    replace_in(part, "aliases: [/feed.xml]\n", "")
    live.build()
    later = site / "content" / "posts" / "later.md"
    later.write_text(post("Later"), encoding="utf-8")
    with pytest.raises(BuildFailed, match="two outputs would be written here"):
        live.update([later])
    with pytest.raises(BuildFailed, match="two outputs would be written here"):
        build(BuildOptions(site_dir=site, out_dir=tmp_path / "scratch", cache=False, jobs=1))


def test_a_record_that_misses_a_read_serves_a_stale_page_but_never_a_leak(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    handbook = site / "content" / "pages" / "handbook.md"
    handbook.write_text("---\ntitle: Handbook for new starters\n---\n\nWelcome.\n", "utf-8")
    live = _live(site, tmp_path)
    page = "archive/index.html"
    live.update([_append(site / "content" / "posts" / "cloud-2.md", "\nMore.\n")], [page])
    assert b"Handbook for new starters" in (live.answer(page).data or b"")  # the site's pages
    # The record loses a read: the archive no longer seems to read the site's pages.
    made = live._made[page]
    live._made[page] = dataclasses.replace(made, reads=made.reads - {"pages"})
    before = live.rendered
    live.update([replace_in(handbook, "title: Handbook", "security: internal\ntitle: Handbook")])
    answer = live.answer(page)
    assert live.rendered == before  # taken for current: stale, it lists a page now withheld
    assert answer.data is None and "handbook.md" in str(answer.errors)  # and so refused


def test_a_copied_file_is_audited_again_after_a_save_that_withholds_what_it_quotes(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    notes = site / "static" / "notes.txt"
    notes.parent.mkdir(parents=True, exist_ok=True)
    part = site / "content" / "posts" / "cloud-2.md"
    _append(part, "\nThe restructuring will close the Leeds office and move its staff.\n")
    notes.write_text("It said: the restructuring will close the Leeds office and move.\n", "utf-8")
    live = _live(site, tmp_path)
    assert live.answer("notes.txt").folder  # as the whole build audited it
    live.update([replace_in(part, "security: Public", "security: Internal")])
    with pytest.raises(BuildFailed, match=r"notes\.txt"):  # and so does a build
        build(BuildOptions(site_dir=site, out_dir=tmp_path / "scratch", cache=False, jobs=1))
    answer = live.answer("notes.txt")
    assert answer.data is None and "cloud-2.md" in str(answer.errors)


def test_a_hard_link_made_during_the_session_is_left_to_whole_builds(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = _live(site, tmp_path)
    twin = site / "content" / "posts" / "twin.md"
    os.link(site / "content" / "posts" / "standalone.md", twin)
    assert live.update([twin]) is None


def test_a_file_that_is_not_a_regular_file_is_passed_over_as_discover_does(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = edited_site(make_site)
    live = _live(site, tmp_path)
    pipe = site / "content" / "posts" / "pipe.md"
    os.mkfifo(pipe)
    done: list[int | None] = []
    reader = threading.Thread(target=lambda: done.append(live.update([pipe])), daemon=True)
    reader.start()
    reader.join(30)
    assert done == [0]  # read nothing, and did not wait for a writer


def test_the_site_held_before_a_whole_build_is_let_go(make_site: MakeSite, tmp_path: Path) -> None:
    """A whole build keeps the new site out of the collector's way; the old one is freed."""
    site = edited_site(make_site)
    live = LiveSite(BuildOptions(site_dir=site, out_dir=tmp_path / "live", jobs=1, in_place=True))
    live.build()
    state = live._state
    assert state is not None
    held = weakref.ref(state.session.kept)
    del state
    try:
        live.build()
        gc.collect()
        assert held() is None
    finally:
        gc.unfreeze()
