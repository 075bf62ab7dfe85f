"""Work spread over processes, for the stages that are pure CPU (Markdown, pages).

Uses fork, so workers start with the parent's memory (the site model included) and nothing
but the items and results crosses a pipe. Small jobs stay in this process: starting workers
costs more than it saves below a few hundred items (measured in bench/).

This module holds journeyblog's only mutable module state (`_early`, `_PENDING`,
`_made_here`) besides reads.py's context variable, because fork does: a worker finds the
work of the call that forked it, and the pool forked early, where the parent left them.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Generic, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a second process costs more than it saves: the break-even lies
# between sites of 25 and 50 posts (bench/threshold.py, bench/LOG.md).
MIN_PARALLEL_ITEMS = 50


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallel_map(
    func: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int,
    min_items: int | None = None,
) -> list[Result]:
    """[func(item) for item in items], in order, over `jobs` processes when it pays."""
    return list(parallel_results(func, items, jobs=jobs, min_items=min_items))


def parallel_results(
    func: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int,
    min_items: int | None = None,
) -> Generator[Result]:
    """func(item) for each item, in order, as they come: the caller need not hold them all."""
    if in_process(jobs, len(items), min_items):
        for item in items:
            yield func(item)
        return
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    if _early is not None and _early[0] == jobs:
        yield from _early[1].imap(func, items, chunksize=chunk)
        return
    with _pool(jobs) as pool:
        yield from pool.imap(func, items, chunksize=chunk)


# The pool `early_workers` forked, and for how many jobs: parallel_results uses it.
_early: tuple[int, multiprocessing.pool.Pool] | None = None


@contextlib.contextmanager
def early_workers(jobs: int) -> Iterator[None]:
    """Fork the workers of parallel_results now, while this process is small, for every
    call inside the block.

    Those calls' items and results cross a pipe, so their workers need nothing of what
    this process will hold by then. Forked when it is needed instead, after the sources
    are read, each worker would map all this process holds by then, counted again in the
    summed memory of the build's processes. For a build that knows it will spread its work
    (the first into an output folder); one that may not (an edit build) forks when, and
    if, it must.
    """
    global _early
    if _early is not None or jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield
        return
    with _pool(jobs) as pool:
        _early = (jobs, pool)
        try:
            yield
        finally:
            _early = None


class Background(Generic[Result]):
    """func(*args) run in a forked process of its own while this one goes on; with
    `separate=False` or where fork is not available, run here when its result is asked for.

    For file-system work beside the build's Python: in a thread, each of its thousands of
    system calls would wait for the GIL to come back, slowing the walk several times over
    and the build too (bench/LOG.md).
    """

    def __init__(self, func: Callable[..., Result], *args: object, separate: bool = True) -> None:
        self._func, self._args = func, args
        self._workers = contextlib.ExitStack()
        self._pending: multiprocessing.pool.AsyncResult[Result] | None = None
        if separate and "fork" in multiprocessing.get_all_start_methods():
            pool = self._workers.enter_context(_pool(1))
            self._pending = pool.apply_async(func, args)

    def result(self) -> Result:
        """Wait for it: its result, or its exception raised here."""
        try:
            if self._pending is None:
                return self._func(*self._args)
            return self._pending.get()
        finally:
            self.stop()

    def stop(self) -> None:
        """End the process, done or not (a stopped build must not leave it working)."""
        self._workers.close()


def in_process(jobs: int, count: int, min_items: int | None = None) -> bool:
    """Whether `count` items are better done here than over forked workers."""
    least = MIN_PARALLEL_ITEMS if min_items is None else min_items
    return jobs <= 1 or count < least or "fork" not in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def _pool(jobs: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of forked workers that leaves Ctrl-C to this process.

    A SIGINT that lands while a worker is being forked is swallowed by the at-fork hooks
    ("Exception ignored in _releaseLock") and the build would carry on, so SIGINT is held
    back until the workers exist. Workers ignore it: the parent stops them.

    Workers die with this process: a build that is killed (SIGKILL, the OOM killer) must
    not leave workers behind that go on writing files into its staging folder.
    """
    context = multiprocessing.get_context("fork")
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    # Frozen objects are never scanned by the workers' garbage collector, which would
    # otherwise write to (and so copy) every page of the site model they share.
    gc.freeze()
    return_free_memory()
    try:
        pool = context.Pool(jobs, initializer=_start_worker, initargs=(os.getpid(),))
    finally:
        gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    with pool:
        yield pool


def return_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim; elsewhere nothing).

    Reading the sources and taking in the rendered Markdown leave much of this process's
    heap freed but still mapped; every forked worker would map it too, and the tree's
    memory would count it. Trimming costs little beside that (bench/LOG.md).
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)


def _start_worker(parent: int) -> None:
    _die_with(parent)
    # The pool ends its workers with SIGTERM: a handler the parent set (serve's, which
    # raises KeyboardInterrupt) would have a worker unwind inside the pool's locks and hang.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Have the kernel SIGKILL this process when `parent` ends (Linux; elsewhere a no-op)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)


# A worker collects its garbage and hands its freed heap back every this many makers. A
# build collects rarely (incremental.collecting_rarely), and what an EPUB's making leaves in
# cycles would pile up meanwhile; the collection walks only the worker's own objects (the
# parent's were frozen before the fork), so it is cheap (bench/LOG.md).
TRIM_EVERY = 64

# make_all forks its workers again after this many makers: a worker's memory grows as it
# works (pages of this process copied as their refcounts are written), and a new one starts
# from none (bench/LOG.md).
FORK_AGAIN_EVERY = 4000

# The makers of the current `make_all` call: forked workers inherit them, so nothing but an
# index crosses the pipe on the way in.
_PENDING: Sequence[Callable[[], object]] = ()


_made_here = 0


def _make(index: int) -> object:
    global _made_here
    _made_here += 1
    if _made_here % TRIM_EVERY == 0:
        gc.collect()
        return_free_memory()
    return _PENDING[index]()


def make_beside(makers: Sequence[Callable[[], Result]]) -> Background[list[Result]]:
    """Each maker's result, in order, made one after the other in a forked process of its
    own that starts now: for a few files to make while this process has other work (an
    edit build links the thousands of files it reuses meanwhile). The makers are inherited,
    as make_all's are; only the results cross back.
    """
    global _PENDING
    _PENDING = makers
    try:
        return Background(cast(Callable[[int], list[Result]], _make_each), len(makers))
    finally:
        _PENDING = ()  # the process has them already: it was forked when Background began


def _make_each(count: int) -> list[object]:
    return [_make(index) for index in range(count)]


def make_all(
    makers: Sequence[Callable[[], Result]], *, jobs: int, min_items: int | None = None
) -> Generator[Result]:
    """Each maker's result, in order, as they come: memory holds a few files, not the site.

    Closing the generator early stops the workers (the pool is terminated and joined).
    """
    global _PENDING
    if in_process(jobs, len(makers), min_items):
        for maker in makers:
            yield maker()
        return
    _PENDING = makers
    # Fewer files than workers can share in chunks go one at a time: a few slow ones (a
    # picture's copies, made one after another) would otherwise all fall to one worker.
    chunk = max(1, min(16, len(makers) // (jobs * 8)))
    try:
        for start in range(0, len(makers), FORK_AGAIN_EVERY):
            indices = range(start, min(len(makers), start + FORK_AGAIN_EVERY))
            with _pool(jobs) as pool:
                for result in pool.imap(_make, indices, chunksize=chunk):
                    yield cast(Result, result)
    finally:
        _PENDING = ()
