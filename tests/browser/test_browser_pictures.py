"""A post with a 20-megapixel photograph, as headless Chromium loads it 1280 px wide: it
weighs a small part of the photograph, and no picture on it lacks its size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from tests.browser.conftest import _serve
from tests.conftest import AUTHORS, CONFIG, NOW, post
from tests.photos import noisy_photo, phone_photo

pytestmark = pytest.mark.browser

# What the post may weigh, all it loads counted (page, styles, scripts, fonts, pictures).
PAGE_WEIGHT = 500 * 1024
PHOTO_PIXELS = 5472 * 3648  # a 20-megapixel camera's


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("photo-site")
    site = root / "site"
    files = {
        "journeyblog.toml": CONFIG,
        "content/authors.yml": AUTHORS,
        "content/posts/harbour.md": post(
            "The harbour at dawn",
            image="/images/harbour.jpg",
            body="""\
            We went down before the ferries.

            ![The harbour at dawn, boats at their moorings](/images/harbour.jpg)

            The phone came out too.

            ![The quay, from a phone](/images/quay.jpg "The quay")
            """,
        ),
    }
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    photo = noisy_photo(site / "content/images/harbour.jpg", (5472, 3648))
    phone_photo(site / "content/images/quay.jpg", (4000, 3000))
    assert photo.stat().st_size > 15_000_000
    out = root / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    with _serve(out) as origin:
        yield origin, photo


def test_a_post_with_a_20_megapixel_photograph_weighs_a_fraction_of_it(
    page: Page, photo_site: tuple[str, Path]
) -> None:
    origin, photo = photo_site
    responses: list[Response] = []

    def seen(response: Response) -> None:
        responses.append(response)

    page.on("response", seen)
    page.goto(f"{origin}/posts/harbour/", wait_until="load")
    page.wait_for_load_state("networkidle")
    weight = sum(len(response.body()) for response in responses if response.ok)
    assert weight < PAGE_WEIGHT, {r.url: len(r.body()) for r in responses}
    assert weight < photo.stat().st_size / 20
    # The first picture is the one copy its width on this screen calls for, in WebP.
    shown = page.evaluate("document.querySelector('article img, main img').currentSrc")
    assert shown.endswith(".960w.webp"), shown
    assert not any(response.url.endswith("/images/harbour.jpg") for response in responses)


def test_no_picture_lacks_its_size_and_none_shifts_the_text(
    page: Page, photo_site: tuple[str, Path]
) -> None:
    origin, _ = photo_site
    page.goto(f"{origin}/posts/harbour/")
    unsized = page.evaluate(
        """[...document.images]
            .filter(img => !img.getAttribute('width') || !img.getAttribute('height'))
            .map(img => img.outerHTML)"""
    )
    assert unsized == []
    loading = page.evaluate("[...document.images].map(img => img.loading)")
    assert loading == ["auto", "lazy"]
    # Before any picture has loaded, each already takes its place at its own proportions.
    boxes = page.evaluate(
        """[...document.images].map(img => {
            const box = img.getBoundingClientRect();
            return [box.width, box.height, +img.getAttribute('width'),
                    +img.getAttribute('height')];
        })"""
    )
    for width, height, natural_width, natural_height in boxes:
        assert width > 0 and abs(height - width * natural_height / natural_width) < 2
