"""A reader in headless Chromium: series navigation, search, keyboard, small screens, print."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from journeyblog.searchwords import words
from tests.browser.conftest import Served, page_types
from tests.browser.site_files import BLOCK_WORD, GAP_WORD, INTERNAL_WORD, PUBLIC_WORD

pytestmark = pytest.mark.browser


def test_next_links_walk_each_series_and_previous_links_walk_back(
    page: Page, served: Served
) -> None:
    for series in served.site.series:
        titles = [post.title for post in series.parts]
        page.goto(served.url(series.parts[0].url))
        seen = [page.locator("h1").inner_text()]
        while page.locator("a[rel~=next]").count():
            page.locator("a[rel~=next]").click()
            seen.append(page.locator("h1").inner_text())
            assert len(seen) <= len(titles), f"{series.title}: next links loop"
        assert seen == titles
        back = [page.locator("h1").inner_text()]
        while page.locator("a[rel~=prev]").count():
            page.locator("a[rel~=prev]").click()
            back.append(page.locator("h1").inner_text())
            assert len(back) <= len(titles), f"{series.title}: previous links loop"
        assert back == titles[::-1]


def test_series_part_says_where_it_stands(page: Page, served: Served) -> None:
    post = next(post for post in served.site.posts if post.series)
    assert post.series is not None
    position = post.series
    page.goto(served.url(post.url))
    block = page.locator(".series-block")
    expect(block.get_by_role("heading")).to_have_text(f"Series {position.series_title}")
    expect(block.locator(".series-position")).to_have_text(
        f"Part {position.part} of {position.total} in {position.series_title}"
    )
    # On screen the name is said once, in the heading; "Part X of Y" stands out below it.
    hidden = block.locator(".series-position .visually-hidden").bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    current = block.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(post.title)
    expect(block.locator(".series-parts > li")).to_have_count(len(position.parts))
    # Every other published part shows its title and its summary ("More Blog Entries").
    for entry in position.parts:
        if entry.state == "published" and entry.link is not None and entry.link.summary:
            item = block.locator(f".series-parts > li:has(a[href='{entry.link.url}'])")
            expect(item.locator(".part-summary")).to_be_visible()
            expect(item.locator(".part-summary")).to_have_text(entry.link.summary)
    # The list of parts is one click away at the top of the post, on every screen.
    page.locator(".series-eyebrow a[href='#series_parts']").click()
    expect(block.locator("#series_parts")).to_be_in_viewport()


def test_a_series_with_a_gap_and_planned_parts_says_so(page: Page, test_site: Served) -> None:
    """Parts 1, 2 and 4 published (3 is internal), 6 planned: the reader of part 4 sees it."""
    series = next(series for series in test_site.site.series if series.slug == "data")
    part_four = series.parts[-1]
    page.goto(test_site.url(part_four.url))
    block = page.locator(".series-block")
    expect(block.locator(".series-position")).to_have_text(f"Part 4 of 6 in {series.title}")
    expect(block.locator(".series-count")).to_have_text("3 of 6 parts published")
    expect(block.locator(".series-parts > li .part-number")).to_have_text(
        ["Part 1", "Part 2", "Part 4", "Part 5", "Part 6"]
    )
    expect(block.locator(".series-parts > li.part-planned")).to_have_count(2)
    segments = block.locator(".series-progress .seg")
    expect(segments).to_have_count(6)
    assert segments.evaluate_all("s => s.map(e => e.className.split('seg-')[1])") == [
        "published",
        "published",
        "gap",
        "current",
        "planned",
        "planned",
    ]
    expect(block.locator("a[rel=prev] .pager-label")).to_have_text("Previous: Part 2")
    expect(block.locator("a[rel=next]")).to_have_count(0)
    page.goto(test_site.url(series.url))
    expect(page.locator(".series-landing > li .part-number")).to_have_text(
        ["Part 1", "Part 2", "Part 4", "Part 5", "Part 6"]
    )
    expect(page.locator(".series-landing > li", has_text="Coming soon")).to_have_count(2)


def test_series_page_lists_every_part_in_order(page: Page, served: Served) -> None:
    series = served.site.series[0]
    page.goto(served.url(series.url))
    expect(page.locator("h1")).to_have_text(series.title)
    links = page.locator(".series-landing h2 a")
    expect(links).to_have_text([post.title for post in series.parts])


def test_search_finds_a_word_only_a_public_post_has(page: Page, test_site: Served) -> None:
    roadmap = next(post for post in test_site.site.posts if PUBLIC_WORD in post.summary)
    page.goto(test_site.at(""))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_selector(".search-form[data-ready]")
    page.get_by_label("Search posts").fill(PUBLIC_WORD[:6])  # found as the reader types
    results = page.locator("#search-results li h2 a")
    expect(results).to_have_count(1)
    expect(results).to_have_attribute("href", roadmap.url)
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^1 post matches"))
    results.click()
    expect(page.locator("h1")).to_have_text(roadmap.title)


def test_search_by_author_series_and_tag_ignores_case_and_accents(
    page: Page, test_site: Served
) -> None:
    page.goto(test_site.at("search/?q=" + quote("EMILE roadmap")))
    expect(page.locator("#search-results li")).to_have_count(1)
    page.get_by_label("Search posts").fill("journey cloud")
    expect(page.locator("#search-results li")).to_have_count(3)
    page.get_by_label("Search posts").fill("open data")
    expect(page.locator("#search-results li")).to_have_count(1)


@pytest.mark.parametrize("word", [INTERNAL_WORD, BLOCK_WORD, GAP_WORD])
def test_search_finds_nothing_of_what_is_not_published(
    page: Page, test_site: Served, word: str
) -> None:
    files = [path for path in test_site.out.rglob("*") if path.is_file()]
    assert test_site.out / "search" / "index.json" in files
    for path in files:
        assert word.encode() not in path.read_bytes().lower(), path
    page.goto(test_site.at("search/?q=" + word))
    expect(page.get_by_role("status")).to_have_text(re.compile("^No post matches"))
    expect(page.locator("#search-results li")).to_have_count(0)


def test_search_finds_a_word_unique_to_one_example_post(page: Page, example_site: Served) -> None:
    """Pick a word only one published post uses anywhere, and search for it."""
    by_post = {
        post.url: set(words(" ".join([post.title, post.summary, post.html.striptags()])))
        for post in example_site.site.posts
    }
    url, word = next(
        (url, word)
        for url, found in by_post.items()
        for word in sorted(found, key=lambda w: (-len(w), w))
        if word.isalpha()
        and not any(w.startswith(word) for u, other in by_post.items() if u != url for w in other)
    )
    page.goto(example_site.at("search/?q=" + word))
    expect(page.locator("#search-results li h2 a")).to_have_count(1)
    expect(page.locator("#search-results li h2 a")).to_have_attribute("href", url)


def test_search_page_without_javascript_offers_the_archive(
    browser: Browser, test_site: Served
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(test_site.at("search/"))
    expect(page.get_by_role("search")).to_be_visible()
    page.get_by_role("link", name="Archive", exact=True).last.click()
    expect(page.locator("h1")).to_have_text("Archive")
    context.close()


def test_keyboard_reaches_the_skip_link_first_and_it_is_visible(page: Page, served: Served) -> None:
    page.goto(served.url(page_types(served)["series part"]))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main_content"
    # Every link shows where the focus is.
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"


@pytest.mark.parametrize("width", [320, 375])
def test_nothing_scrolls_sideways_on_a_small_phone(
    browser: Browser, served: Served, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 640})
    page = context.new_page()
    too_wide = []
    for name, path in page_types(served).items():
        page.goto(served.url(path))
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide.append(f"{name} ({path}): {scroll_width}px")
    context.close()
    assert too_wide == []


def test_a_wide_table_scrolls_inside_the_post_and_the_keyboard_reaches_it(
    browser: Browser, test_site: Served
) -> None:
    post = next(post for post in test_site.site.posts if "Contract end" in post.html)
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(test_site.url(post.url))
    table = page.locator(".prose table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    expect(table).to_have_attribute("tabindex", "0")
    table.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.prose table').scrollLeft > 0")
    # Wide enough for the table, no needless tab stop.
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(
        test_site.url(next(p for p in test_site.site.posts if "Document library" in p.html).url)
    )
    expect(page.locator(".prose table")).not_to_have_attribute("tabindex", "0")
    context.close()


def test_without_javascript_a_reader_follows_a_series_from_the_home_page(
    browser: Browser, test_site: Served
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(test_site.at(""))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Series").click()
    page.get_by_role("link", name="Journey to the Cloud").first.click()
    page.get_by_role("link", name="Why the council chose cloud first").click()
    page.locator("a[rel=next]").click()
    expect(page.locator("h1")).to_have_text("Moving 4,000 mailboxes")
    context.close()


def test_scripts_load_only_where_they_are_needed(served: Served) -> None:
    """Search needs search.js; a page with a table needs tables.js; a part of a series
    progress.js (what this browser has read); nothing else runs code."""
    for path in served.out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        scripts = set(re.findall(r'<script src="[^"]*/assets/([^"/]+)"', html))
        expected = set()
        if path.parent.name == "search":
            expected.add("search.js")
        if "<table" in html:
            expected.add("tables.js")
        if 'class="series-block"' in html:
            expected.add("progress.js")
        assert scripts == expected, path
        assert "<script>" not in html, path  # no inline code


def test_pages_ask_nothing_of_third_parties(page: Page, served: Served) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for name, path in page_types(served).items():
        page.goto(served.url(path))
        if name == "search":
            page.wait_for_selector(".search-form[data-ready]")
    assert served.at("search/index.json") in requested
    assert served.at("assets/site.css") in requested
    elsewhere = [
        url for url in requested if not url.startswith((served.origin + "/", "data:", "blob:"))
    ]
    assert elsewhere == []


def test_print_leaves_out_navigation_but_keeps_the_series(page: Page, served: Served) -> None:
    page.goto(served.url(page_types(served)["series part"]))
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".share")).to_be_hidden()
    expect(page.locator(".series-position")).to_be_visible()
    expect(page.locator(".prose")).to_be_visible()


def test_text_keeps_a_readable_measure_on_a_wide_screen(browser: Browser, served: Served) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1000})
    page = context.new_page()
    page.goto(served.url(page_types(served)["series part"]))
    prose = page.locator(".prose > p").first
    ems = prose.evaluate(
        "e => e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)"
    )
    context.close()
    assert 30 <= ems <= 45  # about 65 to 90 characters a line


def test_dark_scheme_is_dark_and_light_scheme_is_light(browser: Browser, served: Served) -> None:
    def luminance(scheme: Literal["light", "dark"]) -> float:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(served.url(page_types(served)["series part"]))
        rgb = page.evaluate(
            "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3)"
        )
        context.close()
        return sum(int(channel) for channel in rgb) / (3 * 255)

    assert luminance("light") > 0.9
    assert luminance("dark") < 0.15
