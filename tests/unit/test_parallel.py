"""Work spread over processes: results in order, and no worker outlives a killed build."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from journeyblog.engine import parallel
from journeyblog.engine.parallel import Background, early_workers, make_all, parallel_map


def _square(number: int) -> int:
    return number * number


def test_parallel_map_keeps_the_order_of_the_items() -> None:
    items = list(range(300))
    assert parallel_map(_square, items, jobs=2, min_items=1) == [n * n for n in items]


# Set in this process inside early_workers' block, after its workers were forked.
_LATE: list[bytes] = []


def _sees_late_memory(_: int) -> tuple[int, bool]:
    return os.getpid(), bool(_LATE)


def test_early_workers_are_forked_at_the_block_and_serve_every_call_in_it() -> None:
    with early_workers(2):
        workers = {child.pid for child in multiprocessing.active_children()}
        _LATE.append(b"x" * 1_000_000)  # what the build reads after the workers exist
        try:
            first = parallel_map(_sees_late_memory, list(range(200)), jobs=2, min_items=1)
            second = parallel_map(_sees_late_memory, list(range(200)), jobs=2, min_items=1)
        finally:
            _LATE.clear()
    assert not any(late for _, late in first + second)  # forked before it was there
    assert len(workers) == 2 and os.getpid() not in workers
    assert {pid for pid, _ in first + second} <= workers  # those workers, not a fresh pool
    assert not multiprocessing.active_children()  # and gone with the block


def test_make_all_yields_each_makers_result_in_order() -> None:
    makers = [lambda n=n: (n, os.getpid()) for n in range(200)]
    results = list(make_all(makers, jobs=2, min_items=1))
    assert [n for n, _ in results] == list(range(200))
    assert os.getpid() not in {pid for _, pid in results}  # made by the workers


def test_make_all_forks_new_workers_as_it_goes_and_keeps_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker's memory grows with what it makes; a new one starts from the parent's.
    monkeypatch.setattr(parallel, "FORK_AGAIN_EVERY", 50)
    makers = [lambda n=n: (n, os.getpid()) for n in range(200)]
    results = list(make_all(makers, jobs=2, min_items=1))
    assert [n for n, _ in results] == list(range(200))
    pids = [{pid for n, pid in results if start <= n < start + 50} for start in (0, 50, 100, 150)]
    assert all(1 <= len(round_) <= 2 for round_ in pids)
    assert not set.intersection(pids[0], pids[1]) and not set.intersection(pids[2], pids[3])
    assert not multiprocessing.active_children()


def test_workers_collect_their_garbage_in_cycles_as_they_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A build collects rarely; a worker's cyclic garbage (an EPUB's objects) is collected
    # every TRIM_EVERY makers, not left to pile up until the build ends.
    monkeypatch.setattr(parallel, "TRIM_EVERY", 10)

    def cycle_then_count() -> int:
        before = gc.get_threshold()
        gc.set_threshold(1_000_000)
        try:
            node: list[object] = [bytearray(10_000)]
            node.append(node)  # garbage in a cycle, once this returns
            return sum(1 for o in gc.get_objects() if type(o) is list and len(o) == 2 and o[1] is o)
        finally:
            gc.set_threshold(*before)

    makers = [cycle_then_count] * 200
    counts = list(make_all(makers, jobs=2, min_items=1))
    assert max(counts) <= 2 * parallel.TRIM_EVERY


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _fail(message: str) -> None:
    raise OSError(message)


def test_background_work_runs_in_a_process_of_its_own_and_brings_back_its_result() -> None:
    started = time.perf_counter()
    beside = Background(_pid_after, 0.5)
    assert time.perf_counter() - started < 0.4  # this process went on meanwhile
    assert beside.result() not in (os.getpid(), None)
    assert Background(_pid_after, 0, separate=False).result() == os.getpid()


def test_background_work_raises_its_error_here_and_stops_when_told() -> None:
    with pytest.raises(OSError, match="disk full"):
        Background(_fail, "disk full").result()
    started = time.perf_counter()
    Background(_pid_after, 30).stop()  # not waited for: the process is ended
    assert time.perf_counter() - started < 10


# A build in miniature: two workers make files slowly, each into the folder given; the
# parent says when the first is back, then waits to be killed.
MAKER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from journeyblog.engine.parallel import make_all

    folder = Path(sys.argv[1])

    def maker(index):
        def make():
            time.sleep(0.05)
            (folder / f"{index}.txt").write_text("made")
            return index
        return make

    for index in make_all([maker(n) for n in range(400)], jobs=2, min_items=1):
        if index == 0:
            print("first", flush=True)
        time.sleep(0.2)  # the parent is slower than its workers: they run ahead
    """
)


def test_workers_end_with_a_killed_build(tmp_path: Path) -> None:
    """SIGKILL of the build ends its workers too: none goes on writing into its folder.

    Each worker holds a chunk of 16 makers of 50 ms: left alone, an orphan would go on
    writing files for most of a second after its parent was killed.
    """
    folder = tmp_path / "made"
    folder.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", MAKER_SCRIPT, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"first\n"
    process.send_signal(signal.SIGKILL)
    started = time.monotonic()
    process.communicate(timeout=30)  # returns when every holder of its pipes is gone
    assert time.monotonic() - started < 0.3
    made = sorted(path.name for path in folder.iterdir())
    time.sleep(0.5)
    assert sorted(path.name for path in folder.iterdir()) == made


def _ends_on_sigterm(_: int) -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_workers_end_when_the_pool_ends_them_whatever_the_parent_does_on_sigterm() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # as serve does, so that `kill` stops it as Ctrl-C does

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        # A worker that unwound on the pool's SIGTERM could hang the pool's end for ever.
        assert all(parallel_map(_ends_on_sigterm, list(range(200)), jobs=2, min_items=1))
    finally:
        signal.signal(signal.SIGTERM, previous)
