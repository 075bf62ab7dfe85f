#!/usr/bin/env python3
"""How long a save takes to reach the browser in `journeyblog serve`, and in Hugo's server.

    python bench/serve_probe.py --posts 1000 [--saves 5] [--only journeyblog,hugo]

On a copy of the bench corpus (bench/.work/corpus/<N>-s42/, made by bench/run.py), each
server is started and left to finish its first build; then one post is saved `--saves`
times with a new sentence in its body, and as many times with a new title. For journeyblog
the time is from the save to the "reload" event on its Server-Sent Events stream (what the
open tab reloads on); for Hugo, from the save to its "Total in" line (it sends its livereload
message as it prints it). Medians are printed with every sample. Not a test: CI does not run
it. The figures go to bench/LOG.md by hand.
"""

from __future__ import annotations

import argparse
import http.client
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
JOURNEYBLOG = BENCH.parent / ".venv" / "bin" / "journeyblog"
HUGO = WORK / "peers" / "hugo"
PAUSE = 1.5  # seconds between saves: each is one edit, not a burst the debounce merges


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _target(site: Path) -> Path:
    """The post saved each time: the middle part of the first series."""
    posts = sorted((site / "content").rglob("*.md"))
    parts = [path for path in posts if re.search(r"^part: ", path.read_text(), re.M)]
    return (parts or posts)[len(parts or posts) // 2]


def _edits(path: Path, saves: int) -> Iterator[tuple[str, Callable[[], None]]]:
    """(kind, save) for each save: bodies first, then titles."""
    original = path.read_text(encoding="utf-8")
    for number in range(saves):

        def body(number: int = number) -> None:
            path.write_text(original + f"\nA sentence added on save {number}.\n", "utf-8")

        yield "body", body
    for number in range(saves):

        def title(number: int = number) -> None:
            # Inside the quotes a title may be written in.
            text = re.sub(
                r"(?m)^title: (.*?)([\"']?)$", rf"title: \1 ({number})\2", original, count=1
            )
            path.write_text(text, "utf-8")

        yield "title", title


def _events(port: int, build: str, page: str, into: queue.Queue[float]) -> None:
    """Put the moment of each "reload" event of journeyblog serve into `into`, listening as
    the tab showing `page` does (the server makes the open pages before it sends "reload")."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", f"/__journeyblog/events?build={build}&page={page}")
    response = connection.getresponse()
    while True:
        line = response.readline()
        if not line:
            return
        if line.strip() == b"event: reload":
            into.put(time.perf_counter())


def probe_journeyblog(site: Path, saves: int) -> dict[str, list[float]]:
    port = _free_port()
    server = subprocess.Popen(
        [str(JOURNEYBLOG), "serve", str(site), "--port", str(port), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        build = ""
        while not build:
            time.sleep(0.2)
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                page = connection.getresponse().read().decode("utf-8", "replace")
            except OSError:
                continue
            found = re.search(r'data-build="(\d+)"', page)
            build = found.group(1) if found and found.group(1) != "0" else ""
        print(f"journeyblog serve: first build shown after {time.perf_counter() - started:.1f} s")
        reloads: queue.Queue[float] = queue.Queue()
        target = _target(site)
        # The saved post's page, open in the author's browser: its slug is its file's name
        # less the part number.
        page = "/posts/" + re.sub(r"^\d+-", "", target.stem) + "/"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", page)
        if connection.getresponse().status != 200:
            sys.exit(f"{page}: not the saved post's page")
        args = (port, build, page, reloads)
        threading.Thread(target=_events, args=args, daemon=True).start()
        time.sleep(PAUSE)
        return _measure(target, saves, lambda: reloads.get(timeout=120))
    finally:
        server.terminate()
        server.wait()


def probe_hugo(site: Path, saves: int) -> dict[str, list[float]]:
    port = _free_port()
    server = subprocess.Popen(
        [str(HUGO), "server", "--port", str(port), "--source", str(site), "--quiet=false"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    totals: queue.Queue[float] = queue.Queue()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            if "Total in" in line or "Built in" in line:
                totals.put(time.perf_counter())

    threading.Thread(target=read, daemon=True).start()
    try:
        started = time.perf_counter()
        totals.get(timeout=600)  # the first build
        print(f"hugo server: first build after {time.perf_counter() - started:.1f} s")
        time.sleep(PAUSE)
        return _measure(_target(site), saves, lambda: totals.get(timeout=120))
    finally:
        server.terminate()
        server.wait()


def _measure(path: Path, saves: int, next_event: Callable[[], float]) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {"body": [], "title": []}
    for kind, save in _edits(path, saves):
        save()
        saved = time.perf_counter()
        seconds[kind].append(next_event() - saved)
        print(f"  {kind} edit: {seconds[kind][-1]:.3f} s", flush=True)
        time.sleep(PAUSE)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--only", default="journeyblog,hugo")
    args = parser.parse_args()
    corpus = WORK / "corpus" / f"{args.posts}-s42"
    if not corpus.is_dir():
        sys.exit(f"{corpus}: no corpus (run bench/run.py --posts {args.posts} first)")
    probes = {"journeyblog": probe_journeyblog, "hugo": probe_hugo}
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix="serve-probe-") as scratch:
            site = Path(scratch) / name
            shutil.copytree(corpus / name, site)
            seconds = probes[name](site, args.saves)
        for kind, samples in seconds.items():
            shown = ", ".join(f"{sample:.3f}" for sample in samples)
            print(
                f"{name}, {args.posts} posts, {kind} edit: median"
                f" {statistics.median(samples):.3f} s ({shown})"
            )


if __name__ == "__main__":
    main()
