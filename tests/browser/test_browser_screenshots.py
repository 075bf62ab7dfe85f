"""Screenshots of the example site for the README, taken as a reader's browser paints them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser

from tests.browser.conftest import Served, page_types
from tests.conftest import REPO

pytestmark = pytest.mark.browser

SHOTS = REPO / "docs" / "screenshots"


@pytest.mark.parametrize(
    ("name", "kind", "width", "height"),
    [
        ("home-1280", "home", 1280, 800),
        ("home-375", "home", 375, 812),
        ("post-1280", "series part", 1280, 800),
        ("post-375", "series part", 375, 812),
        ("series-1280", "series", 1280, 800),
        ("series-375", "series", 375, 812),
        ("series-all-1280", "series, every part", 1280, 800),
        ("search-375", "search", 375, 812),
    ],
)
def test_screenshot(
    browser: Browser, example_site: Served, name: str, kind: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(example_site.url(page_types(example_site)[kind]))
    if kind == "search":
        page.wait_for_selector(".search-form[data-ready]")
    # What the picture shows is what a reader gets: nothing cut off at the side.
    assert page.evaluate("document.documentElement.scrollWidth") == width
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if kind == "series part" and width < 600:
        block = SHOTS / f"series-block-{width}.png"
        page.locator(".series-block").screenshot(path=str(block))
        assert _size(block)[0] <= width
    context.close()
    assert _size(path) == (width, height)


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size
