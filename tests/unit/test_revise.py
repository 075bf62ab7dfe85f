"""A save of one post's body, taken in by making that post again (site.revise): the site is
the one assemble makes from scratch, or revise declines and assemble makes it."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import NOW, MakeSite, post, rendering_once
from tests.edits import replace_in

from journeyblog.config import load_config
from journeyblog.kept import Kept
from journeyblog.site import Selection, Site, assemble, revise
from journeyblog.sources import SiteSources, discover, refreshed


def _site(make_site: MakeSite) -> Path:
    """A series of three, a post with a summary of its own, one for staff only, one dated
    a day after NOW, a picture, a page."""
    files = {
        f"content/posts/cloud-{part}.md": post(
            f"Cloud part {part}",
            date=f"2016-0{part}-01",
            series="cloud",
            part=part,
            tags=["cloud", f"t{part % 2}"],
            body=f"Part {part} opens here.\n\nMore of part {part}.\n",
        )
        for part in (1, 2, 3)
    }
    files["content/posts/summed.md"] = post(
        "Summed up",
        date="2016-05-01",
        author="ben",
        summary="Said in the front matter.",
        body="Its own first paragraph.\n\nAnd a second.\n",
    )
    files["content/posts/inside.md"] = post(
        "Inside only", date="2016-06-01", security="Internal", body="Staff matters here.\n"
    )
    soon = SOON.date().isoformat()
    files["content/posts/soon.md"] = post("Coming soon", date=soon, body="Not yet.\n")
    files["content/pages/about.md"] = "---\ntitle: About\n---\n\nWho we are.\n"
    site = make_site(files)
    (site / "content" / "images").mkdir(exist_ok=True)
    (site / "content" / "images" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return site


def _appended(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nA sentence added, number {rng.randrange(1000)}.\n")


def _link_to_part(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nSee [part {rng.randrange(1, 4)}](cloud-{rng.randrange(1, 4)}.md).\n")


def _first_paragraph(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n\n")
    path.write_text(f"{head}\n---\n\nOpened again, {rng.randrange(1000)}.\n\n{body}", "utf-8")


def _link_to_withheld(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write("\nSee [the staff post](inside.md).\n")


def _url_of_withheld(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write("\nSee [the staff post](/posts/inside/).\n")


def _broken_link(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nSee [nothing](missing-{rng.randrange(9)}.md).\n")


def _level_block(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write("\n<!-- level: internal -->\nOnly for staff.\n<!-- /level -->\n")


def _picture(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write("\n![The map](/images/map.png)\n")


def _title(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    replace_in(path, title, f"title: 'Retitled {rng.randrange(1000)}'")


def _part_as_true(path: Path, rng: random.Random) -> None:
    """YAML's `true` equals 1: the front matter is not the same, though equal."""
    path = path.with_name("cloud-1.md")
    text = path.read_text(encoding="utf-8")
    if "part: 1\n" in text:
        replace_in(path, "part: 1\n", "part: true\n")
    elif "part: true\n" in text:
        replace_in(path, "part: true\n", "part: 1\n")


# Each edit, and whether revise takes it in (True), leaves it to assemble (False), or
# either, as the post it lands on decides (None).
EDITS: tuple[tuple[Callable[[Path, random.Random], None], bool | None], ...] = (
    (_appended, True),
    (_link_to_part, True),
    (_first_paragraph, None),  # taken in where the summary is the front matter's
    (_link_to_withheld, False),
    (_url_of_withheld, False),
    (_broken_link, False),
    (_level_block, False),
    (_picture, False),
    (_title, False),
    (_part_as_true, False),
)
SOON = (NOW + timedelta(days=1)).replace(hour=0)  # the date, as the post has it
PUBLISHED = ("cloud-1.md", "cloud-2.md", "cloud-3.md", "summed.md")


def _scratch(site: Path, sources: SiteSources, now: datetime) -> tuple[Site, list[str]]:
    config = load_config(site)
    selection = Selection(now=now)
    made, errors = assemble(config, sources, selection=selection, render_bodies=rendering_once())
    return made, [str(error) for error in errors]


def test_a_body_revised_gives_the_site_assemble_gives(make_site: MakeSite) -> None:
    revised = declined = 0
    for seed in range(24):
        site = _site(make_site)
        rng = random.Random(seed)
        config = load_config(site)
        sources, errors = discover(site)
        assert errors == []
        kept, render = Kept(), rendering_once()
        now = NOW
        _, errors = assemble(
            config, sources, selection=Selection(now=now), render_bodies=render, kept=kept
        )
        assert errors == []
        for _ in range(10):
            name = rng.choice(PUBLISHED)
            edit, expected = rng.choice(EDITS)
            path = site / "content" / "posts" / ("cloud-1.md" if edit is _part_as_true else name)
            before = path.read_bytes()
            edit(path, rng)
            if b"<!-- level:" in before:
                expected = False  # a block withheld is the audit's to look for: assemble
            # Now and then a day passes, and the post dated tomorrow is due: revise declines.
            was, now = now, now + timedelta(days=rng.choice((0, 0, 0, 2)))
            if was < SOON <= now:
                expected = False
            fresh = refreshed(sources, [path])
            assert fresh is not None and fresh[1] == []
            selection = Selection(now=now)
            got = revise(
                config,
                fresh[0],
                selection=selection,
                render_bodies=render,
                pictures=None,
                kept=kept,
            )
            scratch, problems = _scratch(site, fresh[0], now)
            if got is None:
                declined += 1
                assert expected is not True, (edit.__name__, name)
                again, errors = assemble(
                    config, fresh[0], selection=selection, render_bodies=render, kept=kept
                )
                assert (again, [str(e) for e in errors]) == (scratch, problems)
                if errors:  # refused: the author puts it right
                    path.write_bytes(before)
                    fresh = refreshed(fresh[0], [path])
                    assert fresh is not None
                    assemble(config, fresh[0], selection=selection, render_bodies=render, kept=kept)
            else:
                revised += 1
                assert expected is not False, (edit.__name__, name)
                assert problems == []
                assert got == scratch, (edit.__name__, name)
            sources = fresh[0]
    assert revised >= 40 and declined >= 40, (revised, declined)  # both ways, many times
