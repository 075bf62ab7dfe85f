"""A save of one post's body, taken in by making that post again (site.revise): the site is
the one assemble makes from scratch, or revise declines and assemble makes it."""

from __future__ import annotations

import functools
import os
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from tests.conftest import CONFIG, NOW, MakeSite, post
from tests.edits import replace_in

from journeyblog.build import picture_paths
from journeyblog.config import SiteConfig, load_config
from journeyblog.figures import Measured
from journeyblog.kept import Kept
from journeyblog.markdown import render_markdown
from journeyblog.pictures import measure_all
from journeyblog.rendered import Rendered
from journeyblog.site import RenderBodies, Selection, Site, assemble, revise
from journeyblog.sources import SiteSources, discover, refreshed


def _site(make_site: MakeSite, *, rich: bool = False) -> Path:
    """A series of three, a post with a summary of its own, one for staff only, one dated
    a day after NOW, a picture, a page; `rich`: raw HTML allowed, and a post in a folder of
    its own that shows a picture beside it."""
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
    if rich:
        files["journeyblog.toml"] = CONFIG + "allow_raw_html = true\n"
        files["content/posts/bund/index.md"] = post(
            "Bundled", date="2016-07-01", body="Intro.\n\n![Here](pic.png)\n"
        )
    site = make_site(files)
    for picture in ("images/map.png", "posts/bund/pic.png") if rich else ("images/map.png",):
        (site / "content" / picture).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 6)).save(site / "content" / picture)
    return site


def _appending(name: str, text: str) -> Callable[[Path, random.Random], None]:
    """An edit that adds `text` at the end of a post, "{n}" in it a number drawn each time."""

    def edit(path: Path, rng: random.Random) -> None:
        with path.open("a", encoding="utf-8") as file:
            file.write("\n" + text.replace("{n}", str(rng.randrange(1000))) + "\n")

    edit.__name__ = name
    return edit


_appended = _appending("_appended", "A sentence added, number {n}.")
_url_of_withheld = _appending("_url_of_withheld", "See [the staff post](/posts/inside/).")
_broken_link = _appending("_broken_link", "See [nothing](missing-{n}.md).")
_level_block = _appending(
    "_level_block", "<!-- level: internal -->\nOnly for staff.\n<!-- /level -->"
)
_picture = _appending("_picture", "![The map](/images/map.png)")
_raw_paragraph = _appending("_raw_paragraph", "<p>Written in HTML, {n}.</p>")
_raw_picture = _appending("_raw_picture", '<img src="/images/map.png" alt="The map">')
_raw_link_to_withheld = _appending(
    "_raw_link_to_withheld", '<a href="/posts/inside/">the staff post</a>'
)


def _beside(path: Path, name: str) -> str:
    """How `path` writes a link to the post file `name` of content/posts/."""
    posts = next(folder for folder in path.parents if folder.name == "posts")
    return os.path.relpath(posts / name, path.parent)


def _link_to_part(path: Path, rng: random.Random) -> None:
    target = _beside(path, f"cloud-{rng.randrange(1, 4)}.md")
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nSee [part {rng.randrange(1, 4)}]({target}).\n")


def _first_paragraph(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n\n")
    path.write_text(f"{head}\n---\n\nOpened again, {rng.randrange(1000)}.\n\n{body}", "utf-8")


def _link_to_withheld(path: Path, rng: random.Random) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nSee [the staff post]({_beside(path, 'inside.md')}).\n")


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
RICH_EDITS = (
    *EDITS,
    (_raw_paragraph, True),
    (_raw_picture, None),  # taken in where the post shows the map already
    (_raw_link_to_withheld, False),
)
PUBLISHED = ("cloud-1.md", "cloud-2.md", "cloud-3.md", "summed.md")


def _rendering(config: SiteConfig) -> RenderBodies:
    """Markdown rendered once a text, as the site's config asks and the dev server keeps it."""
    bodies: dict[str, Rendered] = {}

    def render(texts: Sequence[str]) -> list[Rendered]:
        for text in texts:
            if text not in bodies:
                bodies[text] = render_markdown(
                    text, base_path=config.root_path, allow_raw_html=config.allow_raw_html
                )
        return [bodies[text] for text in texts]

    return render


def _scratch(
    config: SiteConfig, sources: SiteSources, now: datetime, pictures: Mapping[str, Measured]
) -> tuple[Site, list[str]]:
    made, errors = assemble(
        config,
        sources,
        selection=Selection(now=now),
        render_bodies=_rendering(config),
        pictures=pictures,
    )
    return made, [str(error) for error in errors]


@pytest.mark.parametrize("rich", [False, True])
def test_a_body_revised_gives_the_site_assemble_gives(make_site: MakeSite, rich: bool) -> None:
    revised = declined = 0
    for seed in range(24 if not rich else 16):
        site = _site(make_site, rich=rich)
        rng = random.Random(seed)
        config = load_config(site)
        sources, errors = discover(site)
        assert errors == []
        pictures = measure_all(
            site / "content", picture_paths(sources), max_pixels=config.max_image_pixels
        )
        kept, render = Kept(), _rendering(config)

        now = NOW
        # As the dev server assembles: from what the last call made.
        assemble_kept = functools.partial(
            assemble, config, render_bodies=render, pictures=pictures, kept=kept
        )
        _, errors = assemble_kept(sources, selection=Selection(now=now))
        assert errors == []
        for _ in range(10):
            name = rng.choice((*PUBLISHED, "bund/index.md") if rich else PUBLISHED)
            edit, expected = rng.choice(RICH_EDITS if rich else EDITS)
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
                pictures=pictures,
                kept=kept,
            )
            scratch, problems = _scratch(config, fresh[0], now, pictures)
            if got is None:
                declined += 1
                assert expected is not True, (edit.__name__, name)
                again, errors = assemble_kept(fresh[0], selection=selection)
                assert (again, [str(e) for e in errors]) == (scratch, problems)
                if errors:  # refused: the author puts it right
                    path.write_bytes(before)
                    fresh = refreshed(fresh[0], [path])
                    assert fresh is not None
                    assemble_kept(fresh[0], selection=selection)
            else:
                revised += 1
                assert expected is not False, (edit.__name__, name)
                assert problems == []
                assert got == scratch, (edit.__name__, name)
            sources = fresh[0]
    assert revised >= 30 and declined >= 30, (revised, declined)  # both ways, many times
