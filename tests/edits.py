"""The edits an author makes, one at a time, chosen at random: each changes the site and
returns the file it saved (or deleted). For the tests that hold an incremental build, or the
dev server's site in memory, to a build from scratch after every edit."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from tests.conftest import REPO, MakeSite, post

PAGE = "---\ntitle: About\n---\n\nWho we are.\n"


def edited_site(make_site: MakeSite) -> Path:
    """A small site of every kind of file the edits change: a series, tags, two authors,
    a post for staff only, a page."""
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
    files["content/posts/standalone.md"] = post(
        "Standalone", date="2016-05-01", author="ben", tags=["people"]
    )
    files["content/posts/inside.md"] = post(
        "Inside only", date="2016-06-01", security="Internal", body="Staff matters here.\n"
    )
    files["content/pages/about.md"] = PAGE
    return make_site(files)


Edit = Callable[[Path, random.Random], Path]


def replace_in(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _a_post(site: Path, rng: random.Random) -> Path:
    return rng.choice(sorted((site / "content" / "posts").glob("*.md")))


def _body(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nA sentence added, number {rng.randrange(1000)}.\n")
    return path


def _title(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    return replace_in(path, title, f"title: 'Retitled {rng.randrange(1000)}'")


def _level(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    if "security: Public" in text:
        return replace_in(path, "security: Public", "security: Internal")
    return replace_in(path, "security: Internal", "security: Public")


def _tags(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    line = next((x for x in text.splitlines() if x.startswith("tags: ")), None)
    new = f"tags: [t{rng.randrange(3)}, shared]"
    if line is None:
        return replace_in(path, "author: ", f"{new}\nauthor: ")
    return replace_in(path, line, new)


def _draft(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    if "draft: true" in path.read_text(encoding="utf-8"):
        return replace_in(path, "draft: true\n", "")
    return replace_in(path, "author: ", "draft: true\nauthor: ")


def _date(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("date: "))
    return replace_in(path, line, f"date: 2016-0{rng.randrange(1, 10)}-1{rng.randrange(10)}")


def _marker(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    with path.open("a", encoding="utf-8") as file:
        file.write(
            "\n<!-- level: internal -->\nThe budget is only for staff eyes.\n<!-- /level -->\n"
        )
    return path


def _add(site: Path, rng: random.Random) -> Path:
    number = rng.randrange(10_000)
    path = site / "content" / "posts" / f"new-{number}.md"
    path.write_text(
        post(f"New post {number}", date="2016-07-0" + str(rng.randrange(1, 10)), tags=["cloud"]),
        encoding="utf-8",
    )
    return path


def _delete(site: Path, rng: random.Random) -> Path:
    path = _a_post(site, rng)
    path.unlink()
    return path


def _author(site: Path, rng: random.Random) -> Path:
    path = site / "content" / "authors.yml"
    text = path.read_text(encoding="utf-8")
    role = next(x for x in text.splitlines() if x.strip().startswith("role:"))
    return replace_in(path, role, f"  role: Chief Officer {rng.randrange(100)}")


def _series(site: Path, rng: random.Random) -> Path:
    path = site / "content" / "series.yml"
    text = path.read_text(encoding="utf-8")
    title = next(x for x in text.splitlines() if x.strip().startswith("title:"))
    return replace_in(path, title, f"  title: Journey, take {rng.randrange(100)}")


def _page(site: Path, rng: random.Random) -> Path:
    path = site / "content" / "pages" / "about.md"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nAnd more, {rng.randrange(100)}.\n")
    return path


def _template(site: Path, rng: random.Random) -> Path:
    """A template of the site's own, over the default theme's (a tag page or a post page)."""
    name = rng.choice(["tag.html", "post.html"])
    path = site / "themes" / "default" / "templates" / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((REPO / "themes/default/templates" / name).read_text("utf-8"), "utf-8")
    return replace_in(
        path, "{% block main %}", f"{{% block main %}}<p>Note {rng.randrange(100)}</p>"
    )


def _config(site: Path, rng: random.Random) -> Path:
    path = site / "journeyblog.toml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("posts_per_page"))
    return replace_in(path, line, f"posts_per_page = {rng.randrange(2, 6)}")


EDITS: tuple[Edit, ...] = (
    _body,
    _title,
    _level,
    _tags,
    _draft,
    _date,
    _marker,
    _add,
    _delete,
    _author,
    _series,
    _page,
)

# With a template and the config too: what only a whole build takes in.
EVERY_EDIT: tuple[Edit, ...] = (*EDITS, _template, _config)
