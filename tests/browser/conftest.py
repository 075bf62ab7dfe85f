"""Built sites served on 127.0.0.1, a headless Chromium, and the independent judges' files.

Two sites are built once per session: the small test site of site_files.py and the example
site at the top of the repository (journeyblog.toml + content/). Each is served by Python's
http.server from its output folder, as any static server would serve it; the test site sits
under the path of its base_url (/blog/), as it would on a shared host.
"""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from journeyblog.engine.incremental import build
from journeyblog.model import Site
from journeyblog.options import BuildOptions
from tests.browser.site_files import BASE_URL, site_files
from tests.conftest import AUTHORS, NOW, REPO

TOOLS = REPO / "tests" / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Served:
    """A built site and the address it is served at."""

    name: str
    out: Path
    site: Site
    origin: str  # "http://127.0.0.1:PORT"
    editions: tuple[Site, ...] = ()  # a bilingual site's languages, `site` the default's

    def url(self, path: str) -> str:
        """The address of a path as the site's pages link to it ("/blog/posts/x/")."""
        return self.origin + path

    def at(self, relative: str) -> str:
        """The address of a path inside the site ("search/" -> .../blog/search/)."""
        return self.origin + self.site.url(relative)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def write_site(folder: Path, files: Mapping[str, str]) -> None:
    """Write a site's files ({relative path: text}) under folder, the test authors among them."""
    for relative, text in {"content/authors.yml": AUTHORS, **files}.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def test_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("browser-site")
    write_site(root / "site", site_files())
    # The server's root is above the output, which sits at the base_url's path ("/blog/").
    out = root / "www" / urlsplit(BASE_URL).path.strip("/")
    out.parent.mkdir()
    result = build(BuildOptions(site_dir=root / "site", out_dir=out, now=NOW))
    with _serve(root / "www") as origin:
        yield Served("test", out, result.site, origin)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    out = tmp_path_factory.mktemp("example-site") / "out"
    result = build(BuildOptions(site_dir=REPO, out_dir=out, now=NOW))
    with _serve(out) as origin:
        yield Served("example", out, result.site, origin, result.editions)


@pytest.fixture(scope="session", params=["test", "example"])
def served(request: pytest.FixtureRequest) -> Served:
    """Each site in turn."""
    return request.getfixturevalue(f"{request.param}_site")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own cookies and storage) 1280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve a folder on a free port of 127.0.0.1 in a thread, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + (n.failureSummary || "")),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page open in `page`."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [violation for violation in found if violation["impact"] in ("serious", "critical")]


def nu_html_errors(*folders: Path, css: bool = False) -> tuple[list[str], int]:
    """The Nu Html Checker's errors over every HTML page under `folders` (and their CSS with
    `css`), one line each, and its exit status. Warnings are allowed."""
    run = subprocess.run(
        [
            *("java", "-jar", str(VNU), "--format", "json", "--skip-non-html"),
            *(("--also-check-css",) if css else ()),
            *(str(folder) for folder in folders),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [
        f"{m['url']}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(run.stderr)["messages"]
        if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    return errors, run.returncode


def page_types(served: Served) -> dict[str, str]:
    """One URL of every kind of page the site has, by a name for messages."""
    site = served.site
    parts = [post for post in site.posts if post.series]
    middle = [post for post in parts if post.series and post.series.previous and post.series.next]
    standalone = [post for post in site.posts if not post.series]
    assert parts and standalone and site.pages and site.tags, f"{served.name}: too small a site"
    last_parts = [post for post in parts if post.series and not post.series.next]
    with_table = [post for post in site.posts if "<table" in post.html]
    longest_title = max(site.posts, key=lambda post: len(post.title))
    kinds = {
        "home": site.url(""),
        "home, page 2": site.url("page/2/") if len(site.posts) > site.info.posts_per_page else "",
        "last part": last_parts[0].url,
        "post with a table": with_table[0].url if with_table else "",
        "longest title": longest_title.url,
        "series part": (middle or parts)[0].url,
        "standalone post": standalone[0].url,
        "series": site.series[0].url,
        "series, every part": max(site.series, key=lambda one: len(one.parts)).all_url,
        "series index": site.url("series/"),
        "archive": site.url("archive/"),
        "tag": site.tags[0].tag.url,
        "tags": site.url("tags/"),
        "author": site.authors[0].author.page_url,
        "authors": site.url("authors/"),
        "page": site.pages[0].url,
        "search": site.url("search/") + "?q=" + quote(site.posts[0].title.split()[-1]),
        "not found": site.url("404.html"),
    }
    return {name: url for name, url in kinds.items() if url}
