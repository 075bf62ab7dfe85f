"""Reading progress, kept by this browser alone: a part read to its end is marked in the
series block, which then says how many are read and which to continue with; the button
forgets; nothing is kept in a cookie or sent anywhere, and without JavaScript the block is
the same as ever."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Served

pytestmark = pytest.mark.browser


def _read_to_the_end(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(".read-end").scroll_into_view_if_needed()
    part = page.locator(".series-block").get_attribute("data-part")
    expect(page.locator(f".series-parts li[data-part='{part}']")).to_have_class(
        "part part-current part-read"
    )


def test_parts_read_are_counted_and_the_next_one_offered(page: Page, example_site: Served) -> None:
    series = max(example_site.site.series, key=lambda s: len(s.parts))
    first, second, third = series.parts[:3]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method + " " + request.url))
    page.goto(example_site.url(third.url))
    expect(page.locator(".series-read")).to_be_hidden()  # nothing read yet: nothing said
    _read_to_the_end(page, example_site.url(first.url))
    _read_to_the_end(page, example_site.url(second.url))
    page.goto(example_site.url(third.url))
    page.reload()
    status = page.locator(".series-block .series-read")
    expect(status).to_contain_text(f"2 of {len(series.parts)} read")
    continue_link = status.get_by_role("link")
    expect(continue_link).to_have_text("Continue with part 4")
    assert continue_link.get_attribute("href") == series.parts[3].url
    for part in (first, second):
        assert part.series is not None
        item = page.locator(f".series-parts li[data-part='{part.series.part}']")
        expect(item).to_contain_text("(read)")
    # Kept in this browser only: no cookie, and nothing but GETs to the site itself.
    assert page.context.cookies() == []
    assert all(r.startswith("GET " + example_site.origin) for r in requests), requests
    status.get_by_role("button", name="Forget what I have read").click()
    expect(status).to_be_hidden()
    expect(page.locator(".series-parts .part-read")).to_have_count(0)
    page.reload()
    expect(page.locator(".series-read")).to_be_hidden()


def test_without_javascript_the_block_is_as_it_was(browser: Browser, example_site: Served) -> None:
    series = max(example_site.site.series, key=lambda s: len(s.parts))
    url = example_site.url(series.parts[1].url)
    with_script = browser.new_context(viewport={"width": 1280, "height": 900})
    page = with_script.new_page()
    page.goto(url)
    page.evaluate("document.querySelectorAll('.series-read, .read-end').forEach(e => e.remove())")
    shown_with = page.locator(".series-block").inner_text()
    with_script.close()
    without = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = without.new_page()
    page.goto(url)
    assert page.locator(".series-read").count() == 0
    assert page.locator(".series-block").inner_text() == shown_with
    without.close()


def test_a_part_whose_end_shows_as_it_opens_is_not_read_until_scrolled(
    browser: Browser, example_site: Served
) -> None:
    series = max(example_site.site.series, key=lambda s: len(s.parts))
    tall = browser.new_context(viewport={"width": 1280, "height": 20000})
    page = tall.new_page()
    page.goto(example_site.url(series.parts[0].url))
    page.wait_for_timeout(300)
    assert page.evaluate("Object.keys(localStorage)") == []
    tall.close()
