"""Social cards: what a link preview shows for a post without an image of its own."""

from __future__ import annotations

import io
import multiprocessing
import os
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from tests.conftest import NOW, MakeSite, post

from journeyblog import cards
from journeyblog.cards import (
    CARD_HEIGHT,
    CARD_WIDTH,
    CardText,
    cached_card,
    card_key,
    draw_card,
    find_fonts,
    is_sound_card,
    social_images,
)
from journeyblog.config import default_theme_dir, load_config
from journeyblog.model import Site
from journeyblog.render import theme_dirs
from journeyblog.site import Selection, assemble
from journeyblog.sources import discover

FONTS = find_fonts([default_theme_dir()])
TEXT = CardText(
    series="Journey to the Cloud",
    part="Part 3 of 7",
    title="Identity and email",
    author="Ann O'Reilly",
    affiliation="Director of Information Systems, Northbridge City Council",
    site_title="Test Council Notes",
)
BACKGROUND = Image.open(io.BytesIO(draw_card(TEXT, FONTS))).convert("RGB").getpixel((600, 620))


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _assembled(site_dir: Path) -> Site:
    config = load_config(site_dir)
    sources, errors = discover(site_dir)
    site, site_errors = assemble(config, sources, selection=Selection(now=NOW))
    assert not errors and not site_errors, [*errors, *site_errors]
    return site


def test_a_card_is_a_1200_by_627_png() -> None:
    image = _image(draw_card(TEXT, FONTS))
    assert image.format == "PNG"
    assert image.size == (CARD_WIDTH, CARD_HEIGHT) == (1200, 627)


def test_the_same_text_draws_the_same_bytes_and_other_text_other_bytes() -> None:
    assert draw_card(TEXT, FONTS) == draw_card(TEXT, FONTS)
    other = replace(TEXT, title="Identity and email, revisited")
    assert draw_card(other, FONTS) != draw_card(TEXT, FONTS)


TITLES = [f"Part {n}: moving the {word} service" for n, word in enumerate("abcdefghij" * 2)]


def _drawn_after_noise(index: int) -> tuple[int, bytes]:
    """A card drawn in a worker after other cards and after heap garbage of random bytes."""
    noise = [bytearray(os.urandom(1 << (16 + index % 5))) for _ in range(3)]
    del noise
    draw_card(replace(TEXT, title=TITLES[(index * 7) % len(TITLES)]), FONTS)
    title = TITLES[index % len(TITLES)]
    return index % len(TITLES), draw_card(replace(TEXT, title=title), FONTS)


def test_the_same_cards_are_the_same_bytes_however_often_and_wherever_drawn() -> None:
    expected = [draw_card(replace(TEXT, title=title), FONTS) for title in TITLES]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        drawn = pool.map(_drawn_after_noise, range(8 * len(TITLES)), chunksize=3)
    assert len(set(expected)) == len(TITLES)
    for number, data in drawn:
        assert data == expected[number]


@pytest.mark.parametrize(
    "title",
    [
        "A title that goes on " * 12,
        "Supercalifragilisticexpialidociousandthensomemorewordsgluedtogetherwithoutspaces",
    ],
)
def test_long_titles_and_long_words_stay_inside_the_margins(title: str) -> None:
    text = replace(TEXT, title=title, affiliation="Head of IT " * 20)
    image = _image(draw_card(text, FONTS)).convert("RGB")
    # The right-hand margin, from below the accent bar to the bottom, is untouched background.
    for x in range(CARD_WIDTH - 70, CARD_WIDTH, 5):
        for y in range(20, CARD_HEIGHT, 5):
            assert image.getpixel((x, y)) == BACKGROUND, (x, y)


def test_a_long_title_is_drawn_smaller_than_a_short_one() -> None:
    short = _image(draw_card(replace(TEXT, title="Email"), FONTS))
    long = _image(draw_card(replace(TEXT, title="Email " * 30), FONTS))

    def first_text_row_height(image: Image.Image) -> int:
        # The title's first line: rows between the kicker and the rule with any white pixel.
        rgb = image.convert("RGB")
        rows = [
            y
            for y in range(180, 300)
            if any(rgb.getpixel((x, y)) == (255, 255, 255) for x in range(80, 400))
        ]
        top = rows[0]
        end = top
        while end + 1 in rows:
            end += 1
        return end - top

    assert first_text_row_height(long) < first_text_row_height(short)


def test_cards_are_cached_by_content_hash_and_not_redrawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = tmp_path / "cards" / f"{card_key(TEXT, FONTS)}.png"
    first = cached_card(TEXT, FONTS, cached)
    assert cached.read_bytes() == first

    def no_drawing(*args: object) -> bytes:
        raise AssertionError("a cached card was drawn again")

    monkeypatch.setattr(cards, "draw_card", no_drawing)
    assert cached_card(TEXT, FONTS, cached) == first
    changed = replace(TEXT, part="Part 4 of 7")
    assert card_key(changed, FONTS) != card_key(TEXT, FONTS)


def _damaged(card: bytes, damage: str) -> bytes:
    if damage == "truncated":
        return card[: len(card) // 2]
    if damage == "flipped bit":
        middle = len(card) // 2
        return card[:middle] + bytes([card[middle] ^ 1]) + card[middle + 1 :]
    if damage == "trailing bytes":
        return card + b"junk"
    if damage == "another size":
        other = io.BytesIO()
        Image.new("P", (600, 300)).save(other, format="PNG")
        return other.getvalue()
    return b"<html>not a picture</html>"


@pytest.mark.parametrize(
    "damage", ["truncated", "flipped bit", "trailing bytes", "another size", "not a PNG"]
)
def test_a_damaged_cached_card_is_drawn_again_and_replaced(tmp_path: Path, damage: str) -> None:
    card = draw_card(TEXT, FONTS)
    assert is_sound_card(card)
    cached = tmp_path / f"{card_key(TEXT, FONTS)}.png"
    cached.write_bytes(_damaged(card, damage))
    assert not is_sound_card(cached.read_bytes())

    assert cached_card(TEXT, FONTS, cached) == card
    assert cached.read_bytes() == card  # and the damaged copy replaced


def test_posts_without_a_usable_image_get_a_card_and_others_keep_their_own(
    make_site: MakeSite,
) -> None:
    site_dir = make_site(
        {
            "content/posts/cloud/01-start.md": post("Starting out", series="cloud", part=1),
            "content/posts/photo.md": post("With a photo", image="/images/lead.jpg"),
            "content/posts/webp.md": post("With a WebP", image="/images/lead.webp"),
            "content/posts/remote.md": post("Remote", image="https://cdn.example.org/a.png"),
        }
    )
    images = site_dir / "content" / "images"
    images.mkdir()
    Image.new("RGB", (1600, 900), "navy").save(images / "lead.jpg")
    Image.new("RGB", (1600, 900), "navy").save(images / "lead.webp")
    site = _assembled(site_dir)

    social, jobs = social_images(site, site_dir, theme_dirs(site_dir, "default"))

    assert sorted(job.path for job in jobs) == ["cards/start.png", "cards/webp.png"]
    start = social["start"]
    assert (start.url, start.width, start.height) == (
        "https://blog.test.example/cards/start.png",
        1200,
        627,
    )
    assert "Journey to the Cloud · Part 1 of 5" in start.alt
    photo = social["photo"]
    assert (photo.url, photo.width, photo.height) == (
        "https://blog.test.example/images/lead.jpg",
        1600,
        900,
    )
    assert social["webp"].url == "https://blog.test.example/cards/webp.png"
    assert social["remote"].url == "https://cdn.example.org/a.png"
    for job in jobs:
        assert _image(job.make()).size == (1200, 627)
    assert len(list((site_dir / cards.CACHE_DIR).glob("*.png"))) == 2


def test_without_the_cache_cards_are_drawn_and_nothing_is_stored(make_site: MakeSite) -> None:
    site_dir = make_site({"content/posts/a.md": post("Alpha")})
    site = _assembled(site_dir)
    _, jobs = social_images(site, site_dir, theme_dirs(site_dir, "default"), cache=False)
    assert [_image(job.make()).size for job in jobs] == [(1200, 627)]
    assert not (site_dir / cards.CACHE_DIR).exists()


def test_a_card_shows_every_ink_with_smooth_edges() -> None:
    rgb = _image(draw_card(TEXT, FONTS)).convert("RGB")
    colours = {colour for _, colour in rgb.getcolors(maxcolors=1 << 16) or []}
    assert {cards._TEXT, cards._ACCENT, cards._MUTED, BACKGROUND} <= colours
    # Anti-aliased: many blends between the background and the inks, not four flat colours.
    assert len(colours) > 40
