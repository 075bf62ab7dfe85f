"""Starting files: `journeyblog new` (the next post or series) and `journeyblog init` (a site).

Owns choosing a new post's file name and front matter from what the site already holds: the
series' next part number, the previous part's author and security level, today's date in
the site's timezone, a fresh permanent id, `draft: true`. Reads the site with
`sources` and `config`, as the build does; writes only new files and never overwrites one.
Problems are SiteErrors raised in a BuildFailed, like every other stage's.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from journeyblog.config import CONFIG_NAME, DEFAULT_LEVELS, load_config
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError
from journeyblog.recipes import CI_FILES
from journeyblog.sources import DataFile, Source, discover, read_data_file

GITIGNORE = "output/\noutput.manifest.json\n.output.*\n.journeyblog-cache/\n"
# The skeleton's journeyblog.toml says Europe/London; init has no config to read it from yet.
INIT_TIMEZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPost:
    """What `new_post` wrote, for the message the command prints."""

    path: Path
    slug: str
    author: str
    security: str
    series: str | None = None
    part: int | None = None


def new_post(
    site_dir: Path,
    title: str,
    *,
    series: str | None = None,
    author: str | None = None,
    security: str | None = None,
    now: datetime | None = None,
) -> NewPost:
    """Write content/posts/<series>/<NN>-<slug>.md (or content/posts/<slug>.md) as a draft."""
    config = load_config(site_dir)
    sources, found = discover(site_dir)
    data_errors = [e for e in found if e.path in (sources.authors.path, sources.series.path)]
    if data_errors:
        raise BuildFailed(data_errors)

    title = " ".join(title.split())
    slug = slugify(title)
    if not slug:
        raise BuildFailed(
            [
                SiteError(
                    site_dir,
                    None,
                    f"title '{title}' has no letters or digits (give the post a title in words)",
                )
            ]
        )
    taken = taken_slugs(sources.posts, site_dir / "content" / "posts")
    if slug in taken:
        raise BuildFailed(
            [
                SiteError(
                    taken[slug],
                    None,
                    f"already uses the slug '{slug}' (choose another title for the new post)",
                )
            ]
        )

    part = None
    previous = None
    if series is not None:
        if series not in sources.series.data:
            known = ", ".join(sorted(sources.series.data)) or "none yet"
            close = [name for name in sources.series.data if name == _series_slug(series)]
            remedy = (
                f"did you mean {close[0]}?"
                if close
                else f'add one with `journeyblog new series {_series_slug(series)} "Title"`'
            )
            raise OptionInvalid(
                [
                    SiteError(
                        Path("--series"),
                        None,
                        f"no series '{series}' in {sources.series.path} (known: {known}; {remedy})",
                    )
                ]
            )
        part, previous = next_part(sources.posts, series, site_dir / "content" / "posts" / series)

    author = _choose_author(author, previous, sources.authors)
    level = _choose_level(security, previous, config.security_levels, site_dir / CONFIG_NAME)
    today = (now or datetime.now(UTC)).astimezone(config.timezone).date()
    host = urlsplit(config.base_url).hostname or "localhost"
    posts = site_dir / "content" / "posts"
    path = posts / series / f"{part:02d}-{slug}.md" if series and part else posts / f"{slug}.md"
    fields: dict[str, Any] = {"title": title, "date": today, "author": author, "security": level}
    if series is not None:
        fields |= {"series": series, "part": part}
    fields |= {
        "tags": [],
        "summary": "",
        "id": f"tag:{host},{today.isoformat()}:posts/{slug}",
        "draft": True,
    }
    _create(path, post_text(fields, "Write the first paragraph here.\n"))
    return NewPost(path=path, slug=slug, author=author, security=level, series=series, part=part)


def _series_slug(text: str) -> str:
    """A series slug made of what an author wrote: "Our Journey" -> "our-journey"."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def new_series(site_dir: Path, slug: str, title: str) -> Path:
    """Append a series to content/series.yml (created if missing); refuse a slug in use."""
    load_config(site_dir)  # the same "is this a site?" answer as every other command
    path = site_dir / "content" / "series.yml"
    errors: list[SiteError] = []
    existing = read_data_file(path, errors, required=False)
    if errors:
        raise BuildFailed(errors)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        suggested = _series_slug(slug) or "cloud-journey"
        message = f"series slug '{slug}' must be lower case letters, digits and - (try {suggested})"
        raise BuildFailed([SiteError(path, None, message)])
    if slug in existing.data:
        message = (
            f"series '{slug}' already exists (write its next part with"
            f' `journeyblog new "Title" --series {slug}`, or choose another slug)'
        )
        raise BuildFailed([SiteError(path, existing.key_lines.get(slug), message)])
    title = " ".join(title.split())
    if not title:
        message = f'the series needs a title (write: journeyblog new series {slug} "Its title")'
        raise BuildFailed([SiteError(path, None, message)])
    entry = f'{slug}:\n  title: {_yaml_value(title)}\n  description: ""\n'
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + entry, encoding="utf-8")
    return path


def init_site(target: Path, *, now: datetime | None = None, ci: str | None = None) -> list[Path]:
    """Create a small complete site in `target` (new or empty), with the publishing workflow
    of `ci` (a key of CI_FILES) if given; return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BuildFailed(
            [SiteError(target, None, "is not an empty folder (choose a new or empty one)")]
        )
    name = target.resolve().name
    title = " ".join(word.capitalize() for word in re.split(r"[-_\s]+", name) if word)
    today = (now or datetime.now(UTC)).astimezone(INIT_TIMEZONE).date()
    files = skeleton(title or "My Journey", today)
    if ci is not None:
        relative, text = CI_FILES[ci]
        files[relative] = text
    # Pictures go here, written /images/<file> in a post: made now, so it is found.
    (target / "content" / "images").mkdir(parents=True, exist_ok=True)
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, text)
        written.append(path)
    return written


def skeleton(title: str, today: date) -> dict[str, str]:
    """The files of a new site: config, one author, one series, its first part, about page."""
    levels = ", ".join(json.dumps(level) for level in DEFAULT_LEVELS)
    config = f"""\
# The site's settings. Every key is checked: a typo is an error, not a silent default.
title = {json.dumps(title, ensure_ascii=False)}
description = "Notes from a public-sector IT journey, one part at a time."
base_url = "https://example.org/"  # where readers will find the site: change before publishing
language = "en-GB"
timezone = "{INIT_TIMEZONE.key}"  # dates without a time are midnight here
security_levels = [{levels}]  # lowest first
audience = "public"  # who `journeyblog build` publishes for (`--audience` overrides it)
"""
    authors = """\
# One entry per author; posts name them by slug (`author: you`).
you:
  name: Your Name
  role: Director of Information Systems
  organisation: Your Organisation
  bio: One or two sentences that appear under each of your posts.
"""
    series = """\
# One entry per series; posts join one with `series:` and `part:`.
our-journey:
  title: Our Journey
  description: How we got from where we were to where we are, one step at a time.
  planned: 3
"""
    post = post_text(
        {
            "title": "Where we started",
            "date": today,
            "author": "you",
            "security": "Public",
            "series": "our-journey",
            "part": 1,
            "tags": ["strategy"],
            "summary": (
                "The starting point of our journey: what we had, why it had to change, and"
                " what we hoped a move to the cloud would give our residents and our staff."
            ),
            "id": f"tag:example.org,{today.isoformat()}:posts/where-we-started",
            "draft": False,
        },
        """\
This is the first part of a series. Edit this file, or run `journeyblog serve` and watch the
page change as you save.

## Writing the next part

    journeyblog new "The next step" --series our-journey

writes `content/posts/our-journey/02-the-next-step.md` with its part number, author, date
and a permanent id filled in, as a draft. Remove `draft: true` when it is ready.

## Who can read it

A post's `security:` level decides who sees it: `journeyblog build` publishes posts up to
the `audience` in journeyblog.toml, and nothing above it, in pages or feeds.
""",
    )
    about = """\
---
title: About
summary: Who writes here, and why.
---

Write a few lines about the blog and its authors here.
"""
    return {
        CONFIG_NAME: config,
        "content/authors.yml": authors,
        "content/series.yml": series,
        "content/posts/our-journey/01-where-we-started.md": post,
        "content/pages/about.md": about,
        ".gitignore": GITIGNORE,
    }


def next_part(posts: Sequence[Source], series: str, folder: Path) -> tuple[int, Source | None]:
    """The part after the highest one of `series`, counting drafts and every level, and
    the highest part that parses (whose author and level the new part takes).

    A file whose front matter does not parse still counts by its name ("03-cloud.md" is 3)
    when it sits in the series' folder, so a broken part is never numbered twice.
    """
    highest = 0
    previous = None
    for source in posts:
        part = _int(source.meta.get("part"))
        if source.meta.get("series") == series and part is not None and part > highest:
            highest, previous = part, source
    if folder.is_dir():
        for path in folder.glob("*.md"):
            match = re.match(r"(\d+)[-_ ]", path.name)
            if match:
                highest = max(highest, int(match.group(1)))
    return highest + 1, previous


def taken_slugs(posts: Sequence[Source], folder: Path) -> dict[str, Path]:
    """Slug -> file of every post, counting by file name those whose front matter is broken."""
    taken = {post_slug(source): source.path for source in posts}
    parsed = {source.path for source in posts}
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else ():
        if path not in parsed and not path.name.startswith("."):
            stem = re.sub(r"^\d+[-_ ]", "", path.stem)
            taken.setdefault(re.sub(r"[^\w]+", "-", stem.lower()).strip("-_"), path)
    return taken


def post_slug(source: Source) -> str:
    """The slug a post is published under, as site.py derives it."""
    given = source.meta.get("slug")
    if isinstance(given, str) and given.strip():
        return given.strip()
    stem = source.path.stem
    part = _int(source.meta.get("part"))
    if part is not None and source.meta.get("series"):
        match = re.fullmatch(rf"0*{part}[-_ ](.+)", stem)
        if match:
            stem = match.group(1)
    return re.sub(r"[^\w]+", "-", stem.lower()).strip("-_")


def slugify(title: str) -> str:
    """ "Part 4: Léa's Cloud" -> "part-4-leas-cloud"; ASCII when the title allows it."""
    folded = unicodedata.normalize("NFKD", title)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    ascii_only = ascii_only.encode("ascii", "ignore").decode()
    text = ascii_only if re.search(r"[A-Za-z0-9]", ascii_only) else title
    text = re.sub("['\u2019]", "", text.lower())  # "Léa's" -> "leas", not "lea-s"
    return re.sub(r"[^\w]+", "-", text).strip("-_")[:80].rstrip("-_")


def post_text(fields: Mapping[str, Any], body: str) -> str:
    """Front matter between '---' lines, then the body.

    Values go through yaml.safe_dump, so a title with a colon or a quote stays one string:
    post_text({"title": 'Part 2: "Hard"'}, "") -> '---\ntitle: \'Part 2: "Hard"\'\n---\n\n'.
    """
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, date):
            lines.append(f"{key}: {value.isoformat()}")  # unquoted: as authors write dates
        elif value == "":
            lines.append(f'{key}: ""')
        else:
            lines.append(f"{key}: {_yaml_value(value)}")
    return "\n".join([*lines, "---", "", body])


def _yaml_value(value: Any) -> str:
    """One YAML value on one line: a plain or quoted scalar, or a [flow, list]."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...")


def _choose_author(given: str | None, previous: Source | None, authors: DataFile) -> str:
    known = sorted(authors.data)
    if given is not None:
        if given not in authors.data:
            message = f"no author '{given}' in {authors.path} (known: {', '.join(known)})"
            raise OptionInvalid([SiteError(Path("--author"), None, message)])
        return given
    before = previous.meta.get("author") if previous else None
    if isinstance(before, str) and before in authors.data:
        return before
    if len(known) == 1:
        return known[0]
    if not known:
        raise BuildFailed([SiteError(authors.path, None, "no authors yet (add one first)")])
    message = f"{len(known)} authors in {authors.path}: choose one ({', '.join(known)})"
    raise OptionInvalid([SiteError(Path("--author"), None, message)])


def _choose_level(
    given: str | None, previous: Source | None, levels: Sequence[str], config: Path
) -> str:
    if given is not None:
        wanted = given.strip().lower()
        if wanted not in levels:
            message = f"unknown security level '{given}' (use one of: {', '.join(levels)})"
            raise OptionInvalid([SiteError(Path("--security"), None, message)])
        return _label(wanted)
    before = previous.meta.get("security") if previous else None
    if isinstance(before, str) and before.strip().lower() in levels:
        return _label(before.strip().lower())
    # The lowest, as most posts are; `draft: true` keeps it unpublished until the author
    # has checked the level.
    return _label(levels[0])


def _label(level: str) -> str:
    return level[:1].upper() + level[1:]


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        raise BuildFailed(
            [SiteError(path, None, "already exists; not overwritten (choose another title)")]
        ) from None
