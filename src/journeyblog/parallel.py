"""Work spread over processes, for the stages that are pure CPU (Markdown, pages).

Uses fork, so workers start with the parent's memory (the site model included) and nothing
but the items and results crosses a pipe. Small jobs stay in this process: starting workers
costs more than it saves below a few hundred items (measured in bench/).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a second process costs more than it saves (bench/RESULTS.md).
MIN_PARALLEL_ITEMS = 200


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def parallel_map(
    func: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int,
    min_items: int = MIN_PARALLEL_ITEMS,
) -> list[Result]:
    """[func(item) for item in items], in order, over `jobs` processes when it pays."""
    if jobs <= 1 or len(items) < min_items or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (jobs * 8))
    with context.Pool(jobs) as pool:
        return pool.map(func, items, chunksize=chunk)
