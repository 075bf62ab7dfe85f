#!/usr/bin/env python3
"""What a reader downloads: the largest HTML page, the output's size, and what the search
page transfers before the first query's results are shown.

    python bench/weight.py OUTPUT_DIR [--name NAME] [--peer NAME=DIR ...]

The search is measured in headless Chromium (Debian `chromium`, Python `playwright`) from a
local static server: the page is opened as `/search/?q=WORD`, WORD a word of exactly one
post, and every response until its result is shown is counted twice: as served (raw) and
gzip-compressed at level 6, as a static host that compresses would send it. The time is
from the start of navigation to the result in the list. run.py prints the table for each
corpus size; without playwright the search columns say so.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
KB = 1000


@dataclass(frozen=True, slots=True)
class Weight:
    name: str
    largest_page: str
    largest_bytes: int
    html_pages: int
    total_bytes: int
    search: Search | None
    search_note: str = ""


@dataclass(frozen=True, slots=True)
class Search:
    word: str
    requests: int
    raw_bytes: int
    gzip_bytes: int
    seconds: float


def weigh(name: str, out: Path, *, search: bool) -> Weight:
    pages = [(path.stat().st_size, path) for path in out.rglob("*.html") if path.is_file()]
    size, largest = max(pages)
    total = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    found: Search | None = None
    note = ""
    if search and (out / "search" / "index.json").is_file():
        try:
            found = measure_search(out)
        except ImportError:
            note = "playwright not installed"
    elif search:
        note = "no search"
    return Weight(name, largest.relative_to(out).as_posix(), size, len(pages), total, found, note)


def rarest_word(out: Path) -> str:
    """The word the fewest published posts hold, the longest (then first) of them: a
    query that opens few results, as a reader's search for a name would."""
    index = json.loads((out / "search" / "index.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    if index.get("version") == 2:
        for chunk in sorted((out / "search" / "words").glob("*.json")):
            for word, posts in json.loads(chunk.read_text(encoding="utf-8")).items():
                counts[word] = counts.get(word, 0) + len(posts)
    else:
        for post in index["posts"]:
            for word in set(post["words"].split()):
                counts[word] = counts.get(word, 0) + 1
    words = [(count, -len(word), word) for word, count in counts.items() if word.isalpha()]
    return min(words)[2]


def measure_search(out: Path) -> Search:
    from playwright.sync_api import sync_playwright

    word = rarest_word(out)
    bodies: list[bytes] = []
    with _serve(out) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("response", lambda response: bodies.append(_body(response)))
        page.goto(f"{origin}/search/?q={quote(word)}")
        page.wait_for_selector("#search-results li", timeout=30_000)
        seconds = page.evaluate("performance.now()") / 1000
        browser.close()
    return Search(
        word,
        len(bodies),
        sum(len(body) for body in bodies),
        sum(len(gzip.compress(body, 6)) for body in bodies),
        seconds,
    )


def _body(response: Any) -> bytes:
    try:
        return bytes(response.body())
    except Exception:  # a redirect has no body
        return b""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def table(posts: int, weights: Sequence[Weight]) -> list[str]:
    lines = [
        f"#### What a reader downloads, {posts:,} posts",
        "",
        "| tool | largest HTML page | KB | HTML pages | output MB | search: first query "
        "KB gzip (raw) | requests | results shown after s |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for weight in weights:
        found = weight.search
        search = (
            f"{found.gzip_bytes / KB:.0f} ({found.raw_bytes / KB:.0f}) | {found.requests} "
            f"| {found.seconds:.2f}"
            if found
            else f"{weight.search_note} |  |  "
        )
        lines.append(
            f"| {weight.name} | `{weight.largest_page}` | {weight.largest_bytes / KB:.0f} "
            f"| {weight.html_pages} | {weight.total_bytes / 1e6:.1f} | {search} |"
        )
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--name", default="journeyblog")
    parser.add_argument("--peer", action="append", default=[], help="NAME=DIR, no search")
    args = parser.parse_args(argv)
    weights = [weigh(args.name, args.output, search=True)]
    for peer in args.peer:
        name, _, folder = peer.partition("=")
        weights.append(weigh(name, Path(folder), search=False))
    print("\n".join(table(0, weights)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
