"""What the commands print: a progress line on a terminal only, -q and -v, NO_COLOR."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import NOW, MakeSite, post

from journeyblog.cli import cli

SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*[1-9][0-9;]*m")  # a colour or style, not a reset
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
GOOD = {"content/posts/cloud/01-start.md": post("Start", series="cloud", part=1)}


def on_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run journeyblog with stdout on a pseudo-terminal; return its exit code and output."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "journeyblog", *args],
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100", **(env or {})},
    )
    os.close(secondary)
    output = b""
    try:
        while chunk := _read(primary):
            output += chunk
    finally:
        os.close(primary)
        process.wait(timeout=30)
    return process.returncode, output.decode()


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed: Linux reports EIO
        return b""


def test_a_terminal_shows_progress_a_pipe_only_the_summary(make_site: MakeSite) -> None:
    site = make_site(GOOD)
    code, shown = on_terminal("build", str(site), "--now", NOW.isoformat())
    assert code == 0
    # A progress bar with the time so far, erased when done: the summary line is what stays.
    text = ANSI.sub("", shown)
    assert re.search(rf"Building {re.escape(str(site))} \u2501+ 0:00:\d\d\r", text), text
    assert re.search(r"\x1b\[2KBuilt \d+ pages", shown)  # on the bar's line, erased

    edited = post("Start", series="cloud", part=1, body="Edited since.\n")
    (site / "content/posts/cloud/01-start.md").write_text(edited, encoding="utf-8")
    piped = subprocess.run(
        [sys.executable, "-m", "journeyblog", "build", str(site), "--now", NOW.isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(r"Built \d+ pages, \d+ feeds in \d+\.\d+ s \(1 post .*\)\n", piped.stdout)
    assert all(": warning: " in line for line in piped.stderr.splitlines())  # no progress


def test_quiet_prints_nothing_but_errors(make_site: MakeSite) -> None:
    site = make_site(GOOD)
    code, shown = on_terminal("-q", "build", str(site), "--now", NOW.isoformat())
    assert (code, shown) == (0, "")
    runner = CliRunner()
    for args in (["-q", "build", str(site)], ["build", "-q", str(site)]):
        result = runner.invoke(cli, [*args, "--now", NOW.isoformat()])
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")

    (site / "content/posts/cloud/01-start.md").write_text("no front matter\n")
    result = runner.invoke(cli, ["build", "-q", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"{site}/content/posts/cloud/01-start.md:1: no front matter")


def test_no_color_turns_colour_off(tmp_path: Path) -> None:
    runner = CliRunner()
    coloured = runner.invoke(cli, ["init", str(tmp_path / "a")], color=True)
    assert coloured.exit_code == 0 and SGR_COLOUR.search(coloured.stdout)
    plain = runner.invoke(cli, ["init", str(tmp_path / "b")], color=True, env={"NO_COLOR": "1"})
    assert plain.exit_code == 0 and not SGR_COLOUR.search(plain.stdout)
    assert plain.stdout.startswith(f"Created a new site in {tmp_path / 'b'}")

    site = tmp_path / "a"
    code, shown = on_terminal("build", str(site), env={"NO_COLOR": "1"})
    assert code == 0 and "Building" in shown and not SGR_COLOUR.search(shown)


def test_verbose_build_says_where_the_time_went(make_site: MakeSite) -> None:
    site = make_site(GOOD)
    result = CliRunner().invoke(cli, ["build", "-v", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    stages = re.findall(r"^ +(\d+\.\d\d) s  (.+)$", result.stderr, flags=re.MULTILINE)
    assert [stage for _, stage in stages] == [
        "read sources",
        "assemble the site (Markdown included)",
        "plan every file and its key",
        "make, audit and write the files",
        "record keys and stamps",
    ]
    assert result.stdout.startswith("Built ")  # the timings go to stderr, the summary stays
