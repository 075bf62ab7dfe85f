"""A series on one page, as Chromium shows and prints it: every published part in order, each
under its own heading; printed, a title page, then each part from a new page, with no
navigation, external links' addresses after their text, and page numbers."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from journeyblog.model import Series
from journeyblog.render import format_date
from tests.browser.conftest import Served
from tests.browser.site_files import GAP_WORD

pytestmark = pytest.mark.browser


def _longest(served: Served) -> Series:
    return max(served.site.series, key=lambda series: len(series.parts))


def _words(text: str) -> str:
    """Text as compared with a PDF's: without spaces (a long word may break across lines)
    nor what the PDF's text layer cannot give back (an emoji comes back as NUL)."""
    return (
        "".join(char for char in text if char != "\0" and ord(char) < 0x10000)
        .replace(" ", "")
        .replace("\n", "")
    )


def test_the_page_shows_the_published_parts_and_its_contents_lead_to_them(
    page: Page, served: Served
) -> None:
    for series in served.site.series:
        page.goto(served.url(series.all_url))
        titles = page.locator("article.omnibus-part h2").all_inner_texts()
        assert titles == [part.title for part in series.parts]
        assert GAP_WORD not in page.content()
    series = _longest(served)
    page.goto(served.url(series.all_url))
    last = series.parts[-1].series
    assert last is not None
    page.locator("nav.omnibus-toc > ol > li > a").last.click()
    assert page.evaluate("location.hash") == f"#part-{last.part}"
    expect(page.locator("article.omnibus-part h2").last).to_be_in_viewport()


def test_printed_it_is_a_document_each_part_from_a_new_page(
    browser: Browser, served: Served
) -> None:
    series = _longest(served)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served.url(series.all_url))
    page.emulate_media(media="print")
    shown = page.evaluate(
        """[...document.querySelectorAll('nav, .site-header, .site-footer, .skip-link')]
             .filter(e => getComputedStyle(e).display !== 'none')
             .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert shown == []
    breaks = page.evaluate(
        "[...document.querySelectorAll('.omnibus-part')].map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks == ["page"] * len(series.parts)
    external = page.evaluate(
        """[...document.querySelectorAll('.prose a[href^="http"]')]
             .map(a => [a.href, getComputedStyle(a, '::after').content])"""
    )
    assert all(href in after for href, after in external), external
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    context.close()
    # A page's text starts with its number (a margin box), then what the page holds.
    pages = []
    for number, sheet in enumerate(pdf.pages, 1):
        first, _, rest = sheet.extract_text().strip().partition("\n")
        assert first.strip() == str(number), f"page {number} has no number: {first[:60]}"
        pages.append(_words(rest))
    assert len(pages) >= 1 + len(series.parts)
    title_page = pages[0]
    authors = {part.author for part in series.parts}
    for said in (
        series.title,
        *(author.name for author in authors),
        *(author.organisation for author in authors),
        format_date(series.parts[0].date),
        format_date(series.parts[-1].date),
        f"Security level: {max(part.level for part in series.parts).label}",
    ):
        assert _words(said) in title_page, said
    starts = [
        index
        for index, text in enumerate(pages)
        for part in series.parts
        if text.startswith(_words(part.title))
    ]
    assert len(starts) == len(series.parts) and starts == sorted(starts), starts
    assert starts[0] == 1  # straight after the title page
    whole = " ".join(pages)
    for navigation in ("Skip to content", "The series page", "on its own page"):
        assert _words(navigation) not in whole
