#!/usr/bin/env python3
"""Where a second process starts to pay: cold builds of small sites, one process against two.

    .venv/bin/python bench/threshold.py [--sizes 25 50 100 200 400] [--runs 5]

For each size, generates a corpus with the kit's make_corpus.py (every post rendered:
--audience restricted), then times in-process cold builds (no cache, fresh output) with
jobs=1 and with jobs=2 with parallel.MIN_PARALLEL_ITEMS forced to 0, so that the two
processes are used however few the items. Prints the median of each and their ratio; the
size where two processes win is what MIN_PARALLEL_ITEMS in src/journeyblog/engine/parallel.py
should be near. Not a test; needs ../shared/bench beside the repository.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from journeyblog.engine import parallel
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

REPO = Path(__file__).resolve().parents[1]
KIT = REPO.parent / "shared" / "bench"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def corpus(posts: int, folder: Path) -> Path:
    site = folder / f"site-{posts}"
    subprocess.run(
        [sys.executable, str(KIT / "make_corpus.py"), "--posts", str(posts),
         "--flavor", "journeyblog", "--out", str(site), "--audience", "restricted"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return site


def timed(site: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=jobs, cache=False))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 400])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    parallel.MIN_PARALLEL_ITEMS = 0
    print("| posts | 1 process, median s | 2 processes, median s | 2 ÷ 1 |")
    print("|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for size in options.sizes:
            site = corpus(size, folder)
            out = folder / "out"
            timed(site, out, 1)  # warm the OS file cache and the imports
            one, two = [], []
            for _ in range(options.runs):
                one.append(timed(site, out, 1))
                two.append(timed(site, out, 2))
            a, b = statistics.median(one), statistics.median(two)
            print(f"| {size} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
