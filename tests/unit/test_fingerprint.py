"""Fingerprints: equal values digest alike in any build, and any change shows."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable

import pytest
from tests.conftest import MakeSite, post

from journeyblog.build import BuildResult
from journeyblog.fingerprint import Fingerprints
from journeyblog.model import Body, Post


@pytest.fixture
def series_post(make_site: MakeSite, build_site: Callable[..., BuildResult]) -> Post:
    """Part 2 of a three-part series: it has an author, tags, neighbours and a list of parts."""
    site = make_site(
        {
            f"content/posts/part{n}.md": post(
                f"Part {n}", series="cloud", part=n, tags=["cloud", "email"], author="ben"
            )
            for n in (1, 2, 3)
        }
    )
    posts = build_site(site).site.posts
    return next(item for item in posts if item.series and item.series.part == 2)


def _digests(value: Post) -> tuple[str, str]:
    prints = Fingerprints()
    return prints.of(value), prints.of(value, bodies=False)


def test_an_equal_post_made_anew_digests_alike(series_post: Post) -> None:
    """A later build makes new objects: equal ones must give the same keys."""
    assert _digests(copy.deepcopy(series_post)) == _digests(series_post)


def _edits(value: Post) -> dict[str, Post]:
    position = value.series
    assert position is not None and position.previous is not None
    first = position.parts[0]
    assert first.link is not None
    renamed = dataclasses.replace(first.link, title="Another title")
    return {
        "title": dataclasses.replace(value, title="Changed"),
        "author's role": dataclasses.replace(
            value, author=dataclasses.replace(value.author, role="Chief Digital Officer")
        ),
        "a tag": dataclasses.replace(value, tags=value.tags[:1]),
        "previous part's title": dataclasses.replace(
            value,
            series=dataclasses.replace(
                position, previous=dataclasses.replace(position.previous, title="Another")
            ),
        ),
        "a listed part's title": dataclasses.replace(
            value,
            series=dataclasses.replace(
                position,
                parts=(dataclasses.replace(first, link=renamed), *position.parts[1:]),
            ),
        ),
        "the series total": dataclasses.replace(
            value, series=dataclasses.replace(position, total=position.total + 1)
        ),
    }


@pytest.mark.parametrize(
    "edit",
    [
        "title",
        "author's role",
        "a tag",
        "previous part's title",
        "a listed part's title",
        "the series total",
    ],
)
def test_any_change_to_what_a_post_shows_changes_both_digests(series_post: Post, edit: str) -> None:
    before, before_bare = _digests(series_post)
    after, after_bare = _digests(_edits(series_post)[edit])
    assert after != before
    assert after_bare != before_bare


def test_only_the_body_digest_sees_the_body(
    make_site: MakeSite, build_site: Callable[..., BuildResult]
) -> None:
    """An edited body changes the post's digest (by the key it was rendered under), not
    what lists show of it; nor does the same body rendered again."""
    site = make_site({"content/posts/a.md": post("A", summary="Kept.", body="First words.\n")})
    first = build_site(site).site.posts[0]
    again = build_site(site, cache=False).site.posts[0]
    (site / "content/posts/a.md").write_text(post("A", summary="Kept.", body="Other words.\n"))
    edited = build_site(site).site.posts[0]

    assert first.body_key and edited.body_key != first.body_key
    assert _digests(again) == _digests(first)
    before, before_bare = _digests(first)
    after, after_bare = _digests(edited)
    assert after != before
    assert after_bare == before_bare


def test_a_body_whose_key_is_not_known_is_digested_by_its_html(series_post: Post) -> None:
    words = series_post.search_words
    unknown = dataclasses.replace(
        series_post, body=Body.of(str(series_post.html), words, series_post.toc)
    )
    rewritten = dataclasses.replace(unknown, body=Body.of("<p>New</p>", words))
    before, before_bare = _digests(unknown)
    after, after_bare = _digests(rewritten)
    assert after != before
    assert after_bare == before_bare


class _Printed:
    """A value that prints as given: its repr may hold a NUL, which no model value's does."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def test_values_whose_reprs_hold_a_nul_still_digest_apart() -> None:
    """The parts of a digest are joined by NULs where none holds one; where one does, two
    different lists that would join alike still digest apart."""
    prints = Fingerprints()
    first = prints.of((_Printed("a\x00b"), _Printed("c")))
    second = prints.of((_Printed("a"), _Printed("b\x00c")))
    assert first != second
    assert prints.of((_Printed("a\x00b"), _Printed("c"))) == first
