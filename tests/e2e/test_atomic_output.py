"""Nothing is lost: a failed, interrupted or killed build leaves the previous output intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, assert_spare_shares_only_published_files, post, snapshot

POSTS = 400
BODY = "\n\n".join(
    f"## Section {n}\n\nA paragraph about the council's cloud programme, part {n}, with "
    "*emphasis*, `code` and [a link](/posts/p0001/).\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    for n in range(12)
)


def _build(site: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeyblog",
            "build",
            str(site),
            "-o",
            str(out),
            "--now",
            NOW.isoformat(),
            "--no-cache",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def big_site(make_site: MakeSite) -> Path:
    files = {
        f"content/posts/p{n:04d}.md": post(
            f"Post {n}", date=f"2016-01-{n % 28 + 1:02d}", tags=[f"t{n % 9}"], body=BODY
        )
        for n in range(POSTS)
    }
    return make_site(files)


def _run(site: Path, out: Path) -> int:
    process = _build(site, out)
    process.communicate(timeout=120)
    return process.returncode


def _timed_build(site: Path, out: Path) -> float:
    started = time.perf_counter()
    process = _build(site, out)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return time.perf_counter() - started


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.85, 0.95])
def test_sigkill_mid_build_leaves_previous_output(
    big_site: Path, tmp_path: Path, fraction: float
) -> None:
    out = tmp_path / "output"
    duration = _timed_build(big_site, out)
    before = snapshot(out)
    mtimes = {p: (out / p).stat().st_mtime_ns for p in before}

    edited = big_site / "content/posts/p0007.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Post 7", "Post seven"))
    after_dir = tmp_path / "reference"
    _timed_build(big_site, after_dir)
    after = snapshot(after_dir)

    process = _build(big_site, out)
    time.sleep(duration * fraction)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)

    now = snapshot(out)
    assert now in (before, after), _neither(now, before, after)
    if now == before:
        assert all((out / p).stat().st_mtime_ns == mtimes[p] for p in before)

    # The next build cleans up whatever the killed one left behind and succeeds.
    _timed_build(big_site, out)
    assert snapshot(out) == after
    assert [p.name for p in tmp_path.glob(".output.*")] in ([], [".output.staging"])
    assert_spare_shares_only_published_files(out)  # the killed build's files are gone


def _neither(now: dict[str, bytes], before: dict[str, bytes], after: dict[str, bytes]) -> str:
    """Which files make the output neither the old site nor the new one."""
    odd = sorted(
        path
        for path in {*now, *before, *after}
        if now.get(path) != before.get(path) and now.get(path) != after.get(path)
    )
    to_old = sorted(set(now) ^ set(before))
    to_new = sorted(set(now) ^ set(after))
    return (
        f"the output is neither the old site nor the new one: {len(odd)} files are in neither "
        f"{odd[:5]}; paths unlike the old site {to_old[:5]}, unlike the new one {to_new[:5]}"
    )


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, "the build ended before it began writing"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.002)


def test_ctrl_c_leaves_previous_output(big_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    _timed_build(big_site, out)
    before = snapshot(out)
    process = _build(big_site, out)
    # Interrupt while the new site is being written beside the old one.
    _wait_for(tmp_path / ".output.staging", process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert b"previous output is unchanged" in err
    assert snapshot(out) == before


def test_bad_input_keeps_previous_output(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("Fine")})
    out = tmp_path / "output"
    assert _run(site, out) == 0
    before = snapshot(out)
    (site / "content/posts/b.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    process = _build(site, out)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert b"b.md:2: invalid YAML front matter" in err
    assert snapshot(out) == before


def test_unchanged_files_keep_their_mtime(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A"), "content/posts/b.md": post("B")})
    out = tmp_path / "output"
    assert _run(site, out) == 0
    about_b = (out / "posts/b/index.html").stat().st_mtime_ns
    os.utime(site / "content/posts/a.md")
    (site / "content/posts/a.md").write_text(post("A changed"), encoding="utf-8")
    assert _run(site, out) == 0
    assert (out / "posts/b/index.html").stat().st_mtime_ns != 0
    assert "A changed" in (out / "posts/a/index.html").read_text(encoding="utf-8")
    # posts/b/ lists no other post, so its bytes did not change and it was not rewritten.
    assert (out / "posts/b/index.html").stat().st_mtime_ns == about_b


def test_stale_files_are_removed(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A"), "content/posts/b.md": post("B")})
    out = tmp_path / "output"
    assert _run(site, out) == 0
    (site / "content/posts/b.md").unlink()
    assert _run(site, out) == 0
    assert not (out / "posts/b").exists()


def test_refuses_to_replace_a_folder_it_did_not_write(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/posts/a.md": post("A")})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    process = _build(site, precious)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert b"holds files journeyblog did not write" in err
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "years of work"
