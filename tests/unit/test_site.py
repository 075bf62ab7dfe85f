"""site.py: parsed sources -> the Site one audience may see, every problem as a SiteError."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
import yaml
from tests.conftest import AUTHORS, NOW, post, rendering_once

from journeyblog.config import SiteConfig, parse_config
from journeyblog.errors import SiteError
from journeyblog.kept import Kept
from journeyblog.model import Extra, Site
from journeyblog.site import Selection, assemble
from journeyblog.sources import DataFile, SiteSources, Source, SourceKind, parse_source

LONDON = ZoneInfo("Europe/London")
SERIES = """\
cloud:
  title: Journey to the Cloud
  description: A council's move.
  planned: 5
data:
  title: Open Data
  status: complete
"""


def _config(**overrides: object) -> SiteConfig:
    raw: dict[str, object] = {"title": "Notes", "base_url": "https://example.org/blog/"}
    raw.update(overrides)
    return parse_config(raw, path=Path("journeyblog.toml"))


def _data(name: str, text: str) -> DataFile:
    return DataFile(
        path=Path(f"content/{name}"),
        data=MappingProxyType(yaml.safe_load(text) or {}),
        key_lines=MappingProxyType({}),
    )


def _source(path: str, text: str) -> Source:
    kind: SourceKind = "page" if path.startswith("content/pages/") else "post"
    source, error = parse_source(Path(path), text.encode("utf-8"), kind)
    assert error is None and source is not None, error
    return source


def _assemble(
    posts: Mapping[str, str],
    *,
    pages: Mapping[str, str] | None = None,
    config: SiteConfig | None = None,
    images: tuple[str, ...] = (),
    authors: DataFile | None = None,
    series: DataFile | None = None,
    **selection: object,
) -> tuple[Site, list[SiteError]]:
    sources = SiteSources(
        site_dir=Path("."),
        posts=tuple(_source(path, text) for path, text in posts.items()),
        pages=tuple(_source(path, text) for path, text in (pages or {}).items()),
        authors=authors or _data("authors.yml", AUTHORS),
        series=series or _data("series.yml", SERIES),
        images=tuple(Path(image) for image in images),
        static=(),
    )
    selection.setdefault("now", NOW)
    return assemble(config or _config(), sources, selection=Selection(**selection))  # type: ignore[arg-type]


def _messages(errors: list[SiteError]) -> list[str]:
    return sorted(str(error) for error in errors)


def test_a_post_is_built_complete() -> None:
    text = post(
        "Moving the mail",
        date="2016-07-29",
        tags=["Cloud", "Open Data"],
        body="We moved **email** first.\n\nThen the rest.\n",
    )
    site, errors = _assemble({"content/posts/2016/mail.md": text})
    assert errors == []
    [only] = site.posts
    assert only.title == "Moving the mail"
    assert only.slug == "mail"
    assert only.url == "/blog/posts/mail/"
    assert only.permalink == "https://example.org/blog/posts/mail/"
    assert only.canonical == only.permalink
    assert only.id == "tag:example.org,2016-07-29:posts/mail"
    assert only.date == datetime(2016, 7, 29, tzinfo=LONDON)
    assert only.updated == only.date
    assert only.author.name == "Ann O'Reilly"
    assert only.author.organisation == "Northbridge City Council"
    assert only.author.page_url == "/blog/authors/ann/"
    assert only.level.label == "Public"
    assert only.summary == "We moved email first."
    assert [(tag.name, tag.slug, tag.url) for tag in only.tags] == [
        ("Cloud", "cloud", "/blog/tags/cloud/"),
        ("Open Data", "open-data", "/blog/tags/open-data/"),
    ]
    assert only.series is None
    assert "<strong>email</strong>" in only.html
    assert site.info.base_path == "/blog/"
    assert site.info.feed_url == "/blog/feed.xml"


def test_front_matter_overrides() -> None:
    text = post(
        "Cross-posted",
        summary="Told elsewhere first.",
        slug="crossed",
        id="tag:example.org,2010-01-01:old-id",
        canonical="https://medium.example/crossed",
        updated="2016-03-01",
    )
    site, errors = _assemble({"content/posts/x.md": text})
    assert errors == []
    [only] = site.posts
    assert (only.slug, only.id, only.summary) == (
        "crossed",
        "tag:example.org,2010-01-01:old-id",
        "Told elsewhere first.",
    )
    assert only.canonical == "https://medium.example/crossed"
    assert only.updated == datetime(2016, 3, 1, tzinfo=LONDON)


def test_a_date_with_an_offset_is_shown_in_the_site_timezone() -> None:
    text = post("Late", date="2016-07-29T23:30:00-05:00")
    site, errors = _assemble({"content/posts/late.md": text})
    assert errors == []
    [only] = site.posts
    assert only.date == datetime(2016, 7, 30, 4, 30, tzinfo=UTC)  # the same instant
    assert only.date.utcoffset() == timedelta(hours=1)  # London in summer
    assert only.date.day == 30


def test_posts_are_newest_first() -> None:
    site, _ = _assemble(
        {
            "content/posts/a.md": post("A", date="2016-01-02"),
            "content/posts/b.md": post("B", date="2017-05-01"),
            "content/posts/c.md": post("C", date="2016-06-01T10:00"),
        }
    )
    assert [p.title for p in site.posts] == ["B", "C", "A"]


def test_series_parts_in_order_with_a_gap_and_planned_parts() -> None:
    site, errors = _assemble(
        {
            "content/posts/cloud/04-identity.md": post(
                "Identity", date="2016-04-01", series="cloud", part=4
            ),
            "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
            "content/posts/cloud/02-email.md": post(
                "Email", date="2016-02-01", series="cloud", part="'2'"
            ),
        }
    )
    assert errors == []
    [series] = site.series
    assert [p.slug for p in series.parts] == ["start", "email", "identity"]
    assert (series.title, series.total, series.planned, series.status) == (
        "Journey to the Cloud",
        5,
        5,
        "ongoing",
    )
    assert series.url == "/blog/series/cloud/"
    identity = next(p for p in site.posts if p.slug == "identity")
    assert identity.series is not None
    assert (identity.series.part, identity.series.total) == (4, 5)
    assert identity.series.previous is not None and identity.series.previous.title == "Email"
    assert identity.series.next is None
    assert [(e.number, e.state) for e in identity.series.parts] == [
        (1, "published"),
        (2, "published"),
        (4, "current"),
        (5, "planned"),
    ]


def test_tags_are_deduplicated_by_slug_and_listed() -> None:
    site, _ = _assemble(
        {
            "content/posts/a.md": post(
                "A", date="2016-01-01", tags="'Open Data, open  data, Cloud'"
            ),
            "content/posts/b.md": post("B", date="2016-02-01", tags=["open-data"]),
        }
    )
    a = next(p for p in site.posts if p.title == "A")
    assert [tag.name for tag in a.tags] == ["Open Data", "Cloud"]
    listings = {listing.tag.slug: [p.title for p in listing.posts] for listing in site.tags}
    assert listings == {"cloud": ["A"], "open-data": ["B", "A"]}


def test_authors_are_listed_with_their_posts() -> None:
    site, _ = _assemble(
        {
            "content/posts/a.md": post("A", author="ann"),
            "content/posts/b.md": post("B", author="ben", date="2016-03-01"),
        }
    )
    assert [
        (listing.author.name, [p.title for p in listing.posts]) for listing in site.authors
    ] == [
        ("Ann O'Reilly", ["A"]),
        ("Ben Émile", ["B"]),
    ]


def test_what_the_audience_may_not_see_is_withheld() -> None:
    posts = {
        "content/posts/public.md": post("Public one"),
        "content/posts/internal.md": post("Internal one", security="Internal"),
        "content/posts/draft.md": post("Draft one", draft=True),
        "content/posts/future.md": post(
            "Future one", date=(NOW + timedelta(days=2)).date().isoformat()
        ),
    }
    site, errors = _assemble(posts)
    assert errors == []
    assert [p.title for p in site.posts] == ["Public one"]
    assert sorted(w.reason for w in site.withheld) == ["draft", "future", "level"]

    everything, _ = _assemble(posts, audience="internal", drafts=True, future=True)
    assert len(everything.posts) == 4


def test_each_problem_names_the_file_and_line() -> None:
    posts = {
        "content/posts/author.md": post("A", author="nobody"),
        "content/posts/level.md": post("B", security="Secret"),
        "content/posts/date.md": post("C", date="2016-02-30"),
        "content/posts/part.md": post("D", part=3),
        "content/posts/series.md": post("E", series="cloud"),
        "content/posts/unknown-series.md": post("F", series="nope", part=1),
        "content/posts/slug.md": post("G", slug="../../etc/passwd"),
        "content/posts/draft.md": post("H", draft="'yes'"),
    }
    _, errors = _assemble(posts)
    messages = _messages(errors)
    expected = [
        "content/posts/author.md:4: unknown author 'nobody'",
        "content/posts/date.md:3: date '2016-02-30' is not a date",
        "content/posts/draft.md:6: draft must be true or false",
        "content/posts/level.md:5: unknown security level 'Secret'",
        "content/posts/part.md:6: 'part' without 'series'",
        "content/posts/series.md:6: 'part' is required with 'series'",
        "content/posts/slug.md:6: slug '../../etc/passwd' must be one path segment",
        "content/posts/unknown-series.md:6: unknown series 'nope'",
    ]
    assert len(messages) == len(expected), messages
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message


def test_a_broken_author_or_series_entry_is_reported_once_not_on_every_post() -> None:
    authors = _data("authors.yml", AUTHORS + "cara:\n  name: Cara\n")  # no role, no organisation
    series = _data("series.yml", SERIES + "untitled:\n  planned: 2\n")
    posts = {
        f"content/posts/{n}.md": post(f"P{n}", author="cara", series="untitled", part=n)
        for n in (1, 2)
    }
    _, errors = _assemble(posts, authors=authors, series=series)
    assert [str(error.path) for error in errors] == ["content/authors.yml", "content/series.yml"]


def test_posts_say_nothing_of_authors_or_series_when_their_file_cannot_be_read() -> None:
    unreadable = DataFile(
        path=Path("content/authors.yml"),
        data=MappingProxyType({}),
        key_lines=MappingProxyType({}),
        readable=False,
    )
    _, errors = _assemble(
        {"content/posts/a.md": post("A"), "content/posts/b.md": post("B", author="nobody")},
        authors=unreadable,
    )
    assert errors == []  # the file's own error comes from reading it (sources.py)
    empty = DataFile(
        path=Path("content/authors.yml"), data=MappingProxyType({}), key_lines=MappingProxyType({})
    )
    _, errors = _assemble({"content/posts/a.md": post("A")}, authors=empty)
    assert _messages(errors) == [
        "content/posts/a.md:4: unknown author 'ann' (add it to content/authors.yml)"
    ]


def test_missing_required_keys_are_each_reported() -> None:
    _, errors = _assemble({"content/posts/empty.md": "---\ntitle: Only a title\n---\nText.\n"})
    assert _messages(errors) == [
        "content/posts/empty.md:1: missing 'author' in the front matter"
        " (add author: <a slug from content/authors.yml>)",
        "content/posts/empty.md:1: missing 'date' in the front matter (add date: 2016-07-29)",
        "content/posts/empty.md:1: missing 'security' in the front matter"
        " (add security: public, or a higher level)",
    ]


def test_an_empty_date_is_one_error_on_its_line() -> None:
    text = "---\ntitle: T\ndate:\nauthor: ann\nsecurity: public\n---\nText.\n"
    _, errors = _assemble({"content/posts/a.md": text})
    assert _messages(errors) == [
        "content/posts/a.md:3: missing 'date': the key is there but empty (write date: 2016-07-29)"
    ]


def test_duplicate_part_numbers_name_both_files() -> None:
    _, errors = _assemble(
        {
            "content/posts/a.md": post("A", series="cloud", part=2),
            "content/posts/b.md": post("B", series="cloud", part=2),
        }
    )
    messages = _messages(errors)
    assert len(messages) == 2
    assert messages[0].startswith("content/posts/a.md:7: part 2 of series 'cloud'")
    assert "content/posts/b.md" in messages[0]
    assert messages[1].startswith("content/posts/b.md:7: part 2 of series 'cloud'")
    assert "content/posts/a.md" in messages[1]


def test_duplicate_slugs_are_errors_in_every_file_involved() -> None:
    _, errors = _assemble(
        {
            "content/posts/one/same.md": post("A"),
            "content/posts/two/same.md": post("B", date="2016-02-01"),
            "content/posts/three/same.md": post("C", date="2016-03-01"),
        }
    )
    files = {error.path.as_posix() for error in errors}
    assert files == {
        "content/posts/one/same.md",
        "content/posts/two/same.md",
        "content/posts/three/same.md",
    }
    assert all("slug 'same' is also used by" in error.message for error in errors)


def test_a_level_block_error_names_the_line_of_the_file() -> None:
    body = "Text.\n\n<!-- level: secret -->\nHidden.\n<!-- /level -->\n"
    text = post("X", body=body)
    marker_line = text.splitlines().index("<!-- level: secret -->") + 1
    _, errors = _assemble({"content/posts/x.md": text})
    assert [(error.line, error.message.split(" (")[0]) for error in errors] == [
        (marker_line, "unknown level 'secret' in a level marker")
    ]


def test_aliases_become_output_paths_and_escapes_are_refused() -> None:
    site, errors = _assemble(
        {"content/posts/a.md": post("A", aliases=["/2016/07/old/", "old.html"])}
    )
    assert errors == []
    assert site.posts[0].aliases == ("2016/07/old/index.html", "old.html")
    _, errors = _assemble({"content/posts/b.md": post("B", aliases=["../../outside/"])})
    assert [e.message.split(" (")[0] for e in errors] == [
        "alias '../../outside/' would be written outside the output folder"
    ]


def test_images_must_exist_under_content_images() -> None:
    site, errors = _assemble(
        {"content/posts/a.md": post("A", image="/images/lead.png")}, images=("lead.png",)
    )
    assert errors == []
    assert site.posts[0].image == "/blog/images/lead.png"
    _, errors = _assemble({"content/posts/b.md": post("B", image="/images/missing.png")})
    assert len(errors) == 1 and "not found" in errors[0].message


def test_pages_get_a_slug_from_the_file_and_reserved_names_are_refused() -> None:
    site, errors = _assemble(
        {},
        pages={
            "content/pages/About Us.md": "---\ntitle: About us\n---\nWe are a council.\n",
            "content/pages/feed.md": "---\ntitle: Feed\nslug: posts\n---\nNo.\n",
        },
    )
    assert [(page.slug, page.url, page.summary) for page in site.pages] == [
        ("about-us", "/blog/about-us/", "We are a council.")
    ]
    assert [error.path.name for error in errors] == ["feed.md"]
    assert "page slug 'posts'" in errors[0].message


@pytest.mark.parametrize(
    "body",
    ["<script>alert(1)</script>\n", "Text <script>alert(1)</script> inline.\n"],
)
def test_raw_html_is_escaped_unless_the_site_opts_in(body: str) -> None:
    site, _ = _assemble({"content/posts/a.md": post("A", body=body)})
    assert "<script>" not in site.posts[0].html
    site, _ = _assemble(
        {"content/posts/a.md": post("A", body=body)}, config=_config(allow_raw_html=True)
    )
    assert "<script>" in site.posts[0].html


INTERNAL_PART = post(
    "The lift phase", security="internal", series="cloud", part=2, tags=["hush"],
    aliases=["/2016/lift/"], body="Secret.\n\n![Plan](/images/plan.png)\n",
)  # fmt: skip


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("[next](/posts/the-lift-phase/)", "internal"),
        ("[next](/posts/the-lift-phase/#costs)", "internal"),
        ("[next](https://example.org/blog/posts/the-lift-phase/)", "internal"),
        ("[old](/2016/lift/)", "internal"),
        ("[next](02-the-lift-phase.md)", "internal"),
        ("[next](./02-the-lift-phase.md#costs)", "internal"),
        ("[tag](/tags/hush/)", "not published to this audience"),
        ("[feed](/tags/hush/feed.xml)", "not published to this audience"),
        ("[plan](/images/plan.png)", "an image only withheld posts show"),
    ],
)
def test_a_link_to_what_the_build_withholds_is_an_error_on_its_line(link: str, why: str) -> None:
    public = post("Start", series="cloud", part=1, body=f"Intro.\n\nSee\n{link} today.\n")
    _, errors = _assemble(
        {
            "content/posts/cloud/01-start.md": public,
            "content/posts/cloud/02-the-lift-phase.md": (INTERNAL_PART),
        },
        images=("plan.png",),
    )
    [error] = errors
    assert error.line == public.splitlines().index(f"{link} today.") + 1
    assert error.message.startswith("links to '")
    assert f"which this build withholds ({why})" in error.message
    # Built for the audience that may read it, the same link is fine.
    _, errors = _assemble(
        {
            "content/posts/cloud/01-start.md": public,
            "content/posts/cloud/02-the-lift-phase.md": (INTERNAL_PART),
        },
        images=("plan.png",),
        audience="internal",
    )
    assert errors == []


def test_a_url_in_a_summary_to_a_withheld_post_is_an_error_on_the_summary_line() -> None:
    public = post("Start", summary="Read /posts/the-lift-phase/ next")
    _, errors = _assemble(
        {"content/posts/a.md": public, "content/posts/cloud/02-the-lift-phase.md": INTERNAL_PART}
    )
    [error] = errors
    assert error.line == public.splitlines().index("summary: Read /posts/the-lift-phase/ next") + 1


def test_what_is_kept_between_assembles_gives_what_a_fresh_assemble_gives() -> None:
    config = _config()
    authors = _data("authors.yml", AUTHORS)
    good = _source("content/posts/a.md", post("A", series="cloud", part=1))
    other = _source("content/posts/c.md", post("C", series="cloud", part=2))
    bad = _source("content/posts/b.md", post("B", author="nobody"))
    sources = SiteSources(
        site_dir=Path("."),
        posts=(good, other, bad),
        pages=(),
        authors=authors,
        series=_data("series.yml", SERIES),
        images=(),
        static=(),
    )
    selection = Selection(now=NOW)
    fresh = assemble(config, sources, selection=selection)
    render = rendering_once()
    kept = Kept()
    for _ in range(2):  # made, then taken from `kept`
        assembled = assemble(config, sources, selection=selection, kept=kept, render_bodies=render)
        assert assembled == fresh
        assert [error.message for error in assembled[1]] == [
            "unknown author 'nobody' (add it to content/authors.yml)"
        ]
    # An author added: every check that read the authors is made again.
    more = _data(
        "authors.yml", AUTHORS + "nobody:\n  name: No Body\n  role: Head of IT\n  organisation: X\n"
    )
    sources = dataclasses.replace(sources, authors=more)
    before, _ = assemble(config, sources, selection=selection, kept=kept, render_bodies=render)
    assert (before, []) == assemble(config, sources, selection=selection)
    assert len(before.posts) == 3
    # One body edited: that post is made again, the others are the objects they were.
    edited = _source("content/posts/a.md", post("A", series="cloud", part=1) + "\nMore words.\n")
    sources = dataclasses.replace(sources, posts=(edited, other, bad))
    after, errors = assemble(config, sources, selection=selection, kept=kept, render_bodies=render)
    assert (after, errors) == assemble(config, sources, selection=selection)
    by_title = {item.title: item for item in before.posts}
    for item in after.posts:
        if item.title == "A":
            assert "More words." in item.html and item is not by_title["A"]
        elif item.title == "C":  # its series position lists part 1: made again, the same
            assert item == by_title["C"]
        else:
            assert item is by_title[item.title]
    # A part's title changed: the other part's series position lists it, so it is made again.
    retitled = _source("content/posts/a.md", post("A2", series="cloud", part=1))
    sources = dataclasses.replace(sources, posts=(retitled, other, bad))
    again, _ = assemble(config, sources, selection=selection, kept=kept, render_bodies=render)
    assert again == assemble(config, sources, selection=selection)[0]
    part_two = next(item for item in again.posts if item.title == "C")
    assert part_two is not by_title["C"] and part_two.series is not None
    assert [part.link.title for part in part_two.series.parts if part.link] == ["A2", "C"]


def test_extra_values_are_equal_only_when_a_theme_prints_them_alike() -> None:
    assert Extra({"n": 1, "x": [1, "a"]}) == Extra({"n": 1, "x": [1, "a"]})
    assert Extra({"n": 1}) != Extra({"n": True})  # a theme prints "1" and "True"
    assert Extra({"n": 1}) != Extra({"n": 1.0})
    assert Extra({"a": 1, "b": 2}) != Extra({"b": 2, "a": 1})  # printed in another order
    assert Extra({"x": [1]}) != Extra({"x": [True]})
