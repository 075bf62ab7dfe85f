"""A build with nothing changed does nothing, and anything that changes the output rebuilds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, post

from journeyblog.engine import incremental
from journeyblog.engine.incremental import build
from journeyblog.engine.stamps import output_stamp, up_to_date
from journeyblog.options import BuildOptions

LATER = NOW + timedelta(days=2)


def _build(site: Path, out: Path, *extra: str, now: str = NOW.isoformat()) -> str:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "journeyblog",
            "build",
            str(site),
            "-o",
            str(out),
            "--now",
            now,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    return process.stdout


def _mtimes(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/posts/a.md": post("Alpha", date="2026-11-01"),
            "content/posts/soon.md": post("Scheduled", date=(NOW + timedelta(days=1)).isoformat()),
        }
    )


def test_nothing_changed_means_nothing_is_built(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    assert _build(site, out).startswith("Built ")
    before = _mtimes(out)
    said = _build(site, out)
    assert said.startswith("Up to date: nothing changed"), said
    assert "1 post for audience public" in said
    assert _mtimes(out) == before


def test_nothing_changed_is_answered_without_loading_what_builds(
    site: Path, tmp_path: Path
) -> None:
    """The answer is quick because the pipeline, the model, the templates and the
    libraries' metadata are never loaded for it."""
    out = tmp_path / "output"
    assert _build(site, out).startswith("Built ")
    script = (
        "import sys\n"
        "from journeyblog.cli import cli\n"
        "try:\n"
        "    cli.main(sys.argv[1:], prog_name='journeyblog')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    args = ["build", str(site), "-o", str(out), "--now", NOW.isoformat()]
    process = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    said, loaded = process.stdout.rstrip("\n").rsplit("\n", 1)
    assert said.startswith("Up to date"), process.stdout + process.stderr
    heavy = {"journeyblog.build", "journeyblog.model", "journeyblog.scaffold", "jinja2"}
    assert not heavy & set(loaded.split()), sorted(heavy & set(loaded.split()))
    assert "importlib.metadata" not in loaded.split()


@pytest.mark.parametrize(
    "change",
    ["edit a post", "add a post", "edit the config", "edit a template", "add a static file"],
)
def test_a_changed_input_rebuilds(site: Path, tmp_path: Path, change: str) -> None:
    out = tmp_path / "output"
    _build(site, out)
    if change == "edit a post":
        (site / "content/posts/a.md").write_text(post("Alpha, edited", date="2026-11-01"))
    elif change == "add a post":
        (site / "content/posts/b.md").write_text(post("Beta", date="2026-11-02"))
    elif change == "edit the config":
        config = site / "journeyblog.toml"
        config.write_text(config.read_text().replace("Test Council Notes", "Renamed Notes"))
    elif change == "edit a template":
        template = site / "themes/default/templates/404.html"
        template.parent.mkdir(parents=True)
        template.write_text('{% extends "base.html" %}{% block main %}Gone{% endblock %}')
    else:
        (site / "static").mkdir()
        (site / "static/humans.txt").write_text("Ann")
    assert _build(site, out).startswith("Built ")
    assert _build(site, out).startswith("Up to date")


def test_a_touched_output_is_rebuilt(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    _build(site, out)
    page = out / "posts/a/index.html"
    original = page.read_bytes()
    page.unlink()
    assert _build(site, out).startswith("Built ")
    assert page.read_bytes() == original
    page.write_bytes(b"defaced")
    os.utime(page, ns=(0, 0))
    assert _build(site, out).startswith("Built ")
    assert page.read_bytes() == original


def test_a_scheduled_post_falling_due_rebuilds(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    _build(site, out)
    assert not (out / "posts/soon").exists()
    assert _build(site, out, now=LATER.isoformat()).startswith("Built ")
    assert (out / "posts/soon/index.html").is_file()
    # Back before it was due: it must go again.
    assert _build(site, out).startswith("Built ")
    assert not (out / "posts/soon").exists()


@pytest.mark.parametrize(
    "options", [("--audience", "internal"), ("--drafts",), ("--future",), ("--no-cache",)]
)
def test_other_options_rebuild(site: Path, tmp_path: Path, options: tuple[str, ...]) -> None:
    out = tmp_path / "output"
    _build(site, out)
    assert _build(site, out, *options).startswith("Built ")


def _added_deep(out: Path) -> None:
    (out / "posts/a/extra.html").write_text("not ours", encoding="utf-8")


def _folder_added(out: Path) -> None:
    (out / "posts/a/more").mkdir()


def _renamed(out: Path) -> None:
    page = out / "posts/a/index.html"
    page.rename(out / "posts/a/index.htm")


def _replaced_alike(out: Path) -> None:
    """The same size and times, other bytes: a new file put in its place."""
    page = out / "posts/a/index.html"
    data, stat = page.read_bytes(), page.stat()
    page.unlink()
    page.write_bytes(data.replace(b"Alpha", b"Omega"))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _emptied_folder(out: Path) -> None:
    for path in sorted((out / "posts/a").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.mark.parametrize(
    "change", [_added_deep, _folder_added, _renamed, _replaced_alike, _emptied_folder]
)
def test_any_change_to_the_output_a_walk_would_see_rebuilds(
    site: Path, tmp_path: Path, change: object
) -> None:
    """The output is checked by a stat of each file and folder it was written with, not a
    walk of it: a file or folder added anywhere, renamed, or replaced is seen all the same."""
    out = tmp_path / "output"
    _build(site, out)
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file())
    stamp = output_stamp(out, written)
    assert _build(site, out).startswith("Up to date")
    assert callable(change)
    change(out)
    assert output_stamp(out, written) != stamp
    assert _build(site, out).startswith("Built ")
    assert _build(site, out).startswith("Up to date")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == written


def test_the_site_folder_named_another_way_is_the_same_site(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built as `journeyblog build path/to/site`, then as `journeyblog build` in its folder:
    an edit makes as many files again as it does with the folder named the same way."""
    site = make_site(
        {
            "content/posts/a.md": post("Alpha", date="2026-11-01", body="Alpha's text.\n"),
            "content/posts/b.md": post("Beta", date="2026-11-02", body="Beta's text.\n"),
            "content/posts/c.md": post("Inside", date="2026-11-03", security="Internal"),
            "content/posts/soon.md": post("Scheduled", date=(NOW + timedelta(days=1)).isoformat()),
        }
    )
    out = tmp_path / "output"
    edited = site / "content/posts/a.md"

    def made_after_edit(named: Path, words: str) -> int:
        text = re.sub(r"Alpha.*\.\n", f"Alpha, {words}.\n", edited.read_text())
        edited.write_text(text)
        said = _build(named, out)
        found = re.search(r"(\d+) files? made", said)
        assert found, said
        return int(found.group(1))

    monkeypatch.chdir(tmp_path)
    _build(site.absolute(), out)
    same = made_after_edit(site.absolute(), "rewritten")
    monkeypatch.chdir(site)
    assert made_after_edit(Path("."), "rewritten again") == same
    monkeypatch.chdir(site.parent)
    assert made_after_edit(Path(site.name), "rewritten once more") == same


def _leak(out: Path) -> None:
    (out / "posts/a/leak.html").write_text("what another process put there", encoding="utf-8")


def _loss(out: Path) -> None:
    (out / "index.html").unlink()


@pytest.mark.parametrize("meddle", [_leak, _loss])
def test_the_output_changed_while_the_build_records_it_is_built_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meddle: object
) -> None:
    """Something else writes into, or deletes from, the output between the build's write
    and its record: the stamp recorded never passes for up to date, and the next build puts
    the output as it should be."""
    out = tmp_path / "output"
    options = BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1)
    stats = incremental.output_stats
    assert callable(meddle)

    def meddled(out_dir: Path, paths: Collection[str]) -> object:
        meddle(out_dir)
        return stats(out_dir, paths)

    monkeypatch.setattr(incremental, "output_stats", meddled)
    build(options)
    monkeypatch.undo()
    assert up_to_date(options) is None
    assert _build(site, out).startswith("Built ")
    assert not (out / "posts/a/leak.html").exists()
    assert (out / "index.html").is_file()
    assert _build(site, out).startswith("Up to date")
