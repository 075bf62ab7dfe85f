"""The bilingual example site in Chromium: the language switcher goes straight to the twin
and back, each language's search finds its own posts, and axe-core finds no serious or
critical violation on any kind of Welsh page, at a phone's width and a desktop's. (The Nu
Html Checker reads every page of the example, both languages, in test_browser_validity.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from tests.browser.conftest import (
    Served,
    _serve,
    nu_html_errors,
    page_types,
    serious_violations,
    write_site,
)
from tests.conftest import NOW
from tests.e2e.test_bilingual import _files

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def welsh(example_site: Served) -> Served:
    """The example site's Welsh edition, as the browser tests read a site."""
    edition = next(site for site in example_site.editions if site.info.language == "cy")
    return Served("example (Welsh)", example_site.out, edition, example_site.origin)


def test_the_switcher_goes_to_the_twin_and_back(page: Page, example_site: Served) -> None:
    twinned = next(post for post in example_site.site.posts if post.translations)
    page.goto(example_site.url(twinned.url))
    assert page.locator("html").get_attribute("lang") == "en-GB"
    switcher = page.get_by_role("navigation", name="Language")
    switcher.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert page.url == example_site.url(twinned.translations[0].url)
    page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    assert page.url == example_site.url(twinned.url)


def test_a_part_in_one_language_is_offered_in_the_other(page: Page, welsh: Served) -> None:
    part = next(post for post in welsh.site.posts if post.series)
    page.goto(welsh.url(part.url))
    elsewhere = page.locator(".series-parts li.part-translated").first
    expect(elsewhere).to_contain_text("ar gael yn Saesneg")
    elsewhere.get_by_role("link").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")


def test_each_language_searches_its_own_posts(page: Page, welsh: Served) -> None:
    page.goto(welsh.at("search/"))
    page.wait_for_selector(".search-form[data-ready]")
    page.get_by_role("searchbox").fill("cwmwl")
    results = page.locator(".search-results a")
    expect(results.first).to_be_visible()
    hrefs = results.evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert hrefs and all(href.startswith("/cy/posts/") for href in hrefs), hrefs


@pytest.mark.parametrize("width", [375, 1280])
def test_welsh_pages_have_no_serious_accessibility_violations(
    browser: Browser, welsh: Served, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found: list[str] = []
    kinds = page_types(welsh)
    for name, path in kinds.items():
        page.goto(welsh.url(path))
        if name == "search":
            page.wait_for_selector(".search-form[data-ready]")
        found += [f"{name} ({path}): {violation}" for violation in serious_violations(page)]
    context.close()
    assert len(kinds) >= 13
    assert found == [], "\n".join(found)


@pytest.fixture(scope="module")
def both_in_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A small Welsh-first site with both languages in folders and a page at the root that
    offers them."""
    root = tmp_path_factory.mktemp("bilingual")
    write_site(root / "site", _files())
    result = build(BuildOptions(site_dir=root / "site", out_dir=root / "out", now=NOW))
    with _serve(root / "out") as origin:
        yield Served("bilingual", root / "out", result.site, origin, result.editions)


@pytest.mark.vnu
def test_nu_html_checker_passes_both_languages_and_the_root(both_in_folders: Served) -> None:
    errors, status = nu_html_errors(both_in_folders.out)
    assert errors == [], "\n".join(errors)
    pages = list(Path(both_in_folders.out).rglob("*.html"))
    assert any(page.parent == both_in_folders.out for page in pages)
    assert status == 0 and len(pages) > 30


@pytest.mark.parametrize("width", [375, 1280])
def test_the_root_and_both_homes_pass_axe(
    browser: Browser, both_in_folders: Served, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found: list[str] = []
    for path in ("/", "/cy/", "/en/", "/cy/posts/rhan-1/", "/en/posts/only-english/"):
        page.goto(both_in_folders.url(path))
        found += [f"{path}: {violation}" for violation in serious_violations(page)]
    context.close()
    assert found == [], "\n".join(found)


def test_the_root_offers_each_language_in_its_own_words(
    page: Page, both_in_folders: Served
) -> None:
    page.goto(both_in_folders.url("/"))
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    page.goto(both_in_folders.url("/"))
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
