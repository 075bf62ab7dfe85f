"""Search from a chunked index (a large site's) finds what the whole index finds, in the same
order, and fetches only the chunks a query needs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from journeyblog import search
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from tests.browser.conftest import AXE, Served, _serve
from tests.browser.site_files import BASE_URL, BLOCK_WORD, GAP_WORD, INTERNAL_WORD, site_files
from tests.browser.test_browser_axe import RUN_AXE
from tests.conftest import AUTHORS, CONFIG, NOW, post

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chunked_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The browser test site, told to chunk its index from one post on, and to split its
    words as finely as it can, so queries span chunks as on a large site."""
    root = tmp_path_factory.mktemp("chunked-site")
    files = {"content/authors.yml": AUTHORS, **site_files()}
    files["journeyblog.toml"] += "\nsearch_chunks_above = 1\n"
    for relative, text in files.items():
        path = root / "site" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = root / "www" / urlsplit(BASE_URL).path.strip("/")
    out.parent.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "POSTS_PER_WORD_CHUNK", 0.05)
        result = build(BuildOptions(site_dir=root / "site", out_dir=out, now=NOW))
    with _serve(root / "www") as origin:
        yield Served("chunked", out, result.site, origin)


def _results(page: Page, served: Served, query: str) -> tuple[list[str], str]:
    page.goto(served.at("search/?q=" + quote(query)))
    page.wait_for_selector(".search-form[data-ready]")
    status = page.get_by_role("status")
    expect(status).not_to_have_text(re.compile(r"^(Loading.*)?$"))
    return page.locator("#search-results li h2 a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    ), status.inner_text()


def test_the_chunked_index_is_what_a_large_site_publishes(chunked_site: Served) -> None:
    index = json.loads((chunked_site.out / "search" / "index.json").read_text())
    assert index["version"] == 2
    assert index["posts"] == len(chunked_site.site.posts)
    chunks = sorted((chunked_site.out / "search" / "words").iterdir())
    assert len(chunks) == len(index["words"]) > 1
    assert (chunked_site.out / "search" / "posts" / "0.json").is_file()


QUERIES = [
    "cloud",
    "clo",
    "journey cloud",
    "EMILE roadmap",
    "open data",
    "migration",
    "the",
    "data",
    "Émile",
    "nothing-like-this-anywhere",
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_finds_the_same_posts_in_the_same_order_in_both_forms(
    page: Page, test_site: Served, chunked_site: Served, query: str
) -> None:
    whole, whole_status = _results(page, test_site, query)
    chunked, chunked_status = _results(page, chunked_site, query)
    assert chunked == whole
    assert chunked_status == whole_status


@pytest.mark.parametrize("word", [INTERNAL_WORD, BLOCK_WORD, GAP_WORD])
def test_nothing_withheld_is_found_or_in_any_chunk(
    page: Page, chunked_site: Served, word: str
) -> None:
    for path in (chunked_site.out / "search").rglob("*"):
        if path.is_file():
            assert word.encode() not in path.read_bytes().lower(), path
    found, status = _results(page, chunked_site, word)
    assert found == [] and status.startswith("No post matches")


def test_a_query_fetches_only_the_chunks_it_needs(page: Page, chunked_site: Served) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    found, _ = _results(page, chunked_site, "roadmap")
    assert found
    words = [path for path in requested if "/search/words/" in path]
    posts = [path for path in requested if "/search/posts/" in path]
    total = len(list((chunked_site.out / "search" / "words").iterdir()))
    assert 1 <= len(words) < total
    assert len(posts) == 1


def test_a_query_never_fetches_an_empty_chunk(page: Page, chunked_site: Served) -> None:
    """A chunk is empty where a word found in most posts spans the place it would begin
    (search._firsts); it begins at that word too, and the script skips it."""
    folder = chunked_site.out / "search" / "words"
    empty = {path.name for path in folder.iterdir() if path.read_bytes() == b"{}"}
    assert empty, "the fixture's chunks are fine enough that some are empty"
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    for query in ("the", "th", "cl", "journey cloud", "data"):
        _results(page, chunked_site, query)
    fetched = {path.rsplit("/", 1)[1] for path in requested if "/search/words/" in path}
    assert fetched and not fetched & empty


@pytest.fixture(scope="module")
def common_first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """30 posts that all say "aardvark", the first word in sorted order, chunked finely:
    the chunks before it are empty, the first chunk among them."""
    root = tmp_path_factory.mktemp("common-first")
    files = {"content/authors.yml": AUTHORS}
    files["journeyblog.toml"] = CONFIG + "search_chunks_above = 1\n"
    for number in range(30):
        name = "".join(chr(ord("b") + int(digit)) for digit in f"{number:02d}")
        files[f"content/posts/p{number:02d}.md"] = post(
            f"Note {name}",
            date=f"2016-03-{1 + number:02d}",
            body=f"The aardvark, note {name}.\n",
        )
    yield from _served(root, "common-first", files, posts_per_word_chunk=0.5)


def test_a_query_before_every_word_fetches_no_empty_chunk(page: Page, common_first: Served) -> None:
    folder = common_first.out / "search" / "words"
    assert (folder / "0.json").read_bytes() == b"{}"
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    found, status = _results(page, common_first, "aa")
    assert len(found) == 20 and status.startswith("30 posts match")
    fetched = [path.rsplit("/", 1)[1] for path in requested if "/search/words/" in path]
    assert fetched and all((folder / name).read_bytes() != b"{}" for name in fetched)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """45 posts that all say "roadmap", newest last written, chunked."""
    root = tmp_path_factory.mktemp("many")
    files = {"content/authors.yml": AUTHORS}
    files["journeyblog.toml"] = CONFIG + "search_chunks_above = 10\n"
    for number in range(1, 46):
        files[f"content/posts/p{number:02d}.md"] = post(
            f"Roadmap note {number:02d}",
            date=f"2016-{1 + number // 28:02d}-{1 + number % 28:02d}",
            body=f"The roadmap, note {number}.\n",
        )
    yield from _served(root, "many", files)


def _served(
    root: Path, name: str, files: dict[str, str], *, posts_per_word_chunk: float | None = None
) -> Iterator[Served]:
    """The site of `files` written under root/site, built into root/www and served."""
    for relative, text in files.items():
        path = root / "site" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        if posts_per_word_chunk is not None:
            patch.setattr(search, "POSTS_PER_WORD_CHUNK", posts_per_word_chunk)
        result = build(BuildOptions(site_dir=root / "site", out_dir=root / "www", now=NOW))
    with _serve(root / "www") as origin:
        yield Served(name, root / "www", result.site, origin)


def test_more_results_are_shown_when_asked_for(page: Page, many: Served) -> None:
    """Twenty results at once, newest first; the button adds the next twenty, then the rest."""
    page.goto(many.at("search/?q=roadmap"))
    status = page.get_by_role("status")
    expect(status).to_have_text("45 posts match “roadmap”. Showing the first 20.")
    shown = page.locator("#search-results li h2 a")
    more = page.get_by_role("button", name="Show more results")
    expect(shown).to_have_count(20)
    expect(shown.first).to_have_text("Roadmap note 45")
    more.click()
    expect(shown).to_have_count(40)
    more.click()
    expect(shown).to_have_count(45)
    expect(more).to_be_hidden()
    expect(status).to_have_text("45 posts match “roadmap”.")
    expect(shown.last).to_have_text("Roadmap note 01")


@pytest.mark.parametrize("width", [375, 1280])
def test_results_and_the_more_button_have_no_serious_accessibility_violation(
    browser: Browser, chunked_site: Served, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(chunked_site.at("search/?q=the"))
    expect(page.locator("#search-results li").first).to_be_visible()
    # Fewer posts than a page of results holds: show the button as a larger site would.
    page.evaluate("document.querySelector('.search-more').hidden = false")
    page.add_script_tag(path=str(AXE))
    serious = [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []
