#!/usr/bin/env python3
"""Pagefind's first query on a journeyblog output, measured as bench/weight.py measures ours.

    pip install "pagefind[bin]"          # in a venv of its own: not a journeyblog dependency
    python -m pagefind --site OUTPUT --glob "posts/**/*.html"
    .venv/bin/python bench/pagefind_first_query.py OUTPUT

Writes OUTPUT/pf-test.html, a page that loads Pagefind's JS API, searches the word weight.py
would search for, and lists the first five results' titles; opens it in Chromium from a
local server and prints the requests, bytes (as served and gzip-compressed) and seconds.
Delete OUTPUT/pagefind and OUTPUT/pf-test.html afterwards.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import weight

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pagefind</title></head>
<body><ol id="r"></ol><script type="module">
const q = new URLSearchParams(location.search).get("q");
const pagefind = await import("/pagefind/pagefind.js");
const search = await pagefind.search(q);
const data = await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
for (const d of data) {
  const li = document.createElement("li");
  li.textContent = d.meta.title;
  document.getElementById("r").appendChild(li);
}
</script></body></html>
"""


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    word = weight.rarest_word(out)
    (out / "pf-test.html").write_text(PAGE, encoding="utf-8")
    bodies: list[tuple[str, bytes]] = []
    with weight._serve(out) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=weight.CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("response", lambda response: bodies.append((response.url, weight._body(response))))
        page.goto(f"{origin}/pf-test.html?q={word}")
        page.wait_for_selector("#r li", timeout=30_000)
        seconds = page.evaluate("performance.now()") / 1000
        browser.close()
    raw = sum(len(body) for _, body in bodies)
    packed = sum(len(gzip.compress(body, 6)) for _, body in bodies)
    print(
        f"{word}: {len(bodies)} requests, {raw / 1000:.0f} KB ({packed / 1000:.0f} KB gzip), "
        f"{seconds:.2f} s"
    )
    for url, body in bodies:
        print(f"  {url.rsplit('/', 1)[-1]:<48} {len(body):>8} B")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
