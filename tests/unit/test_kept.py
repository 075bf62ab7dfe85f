"""What the dev server keeps between saves: a part is taken back only if made from the very
same objects."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.conftest import AUTHORS, NOW, SERIES, post, rendering_once
from tests.unit.test_site import _config, _data, _source

from journeyblog.kept import Kept
from journeyblog.site import Selection, assemble
from journeyblog.sources import SiteSources


def test_a_part_is_taken_back_only_when_made_from_the_same_objects() -> None:
    kept = Kept()
    made: list[object] = []

    def make(value: object) -> object:
        made.append(value)
        return [value]

    one = kept.made("a", (1,), lambda: make(1))
    kept.forget_unused()
    assert kept.made("a", (1,), lambda: make(1)) is one  # the same int object
    kept.forget_unused()
    # Equal is not enough: True == 1, but a theme prints them differently.
    assert kept.made("a", (True,), lambda: make(True)) == [True]
    kept.forget_unused()
    first = kept.made("b", ("".join(["xx", "y"]),), lambda: make("b"))
    kept.forget_unused()
    # An equal string, another object: as a file read again gives.
    assert kept.made("b", ("".join(["x", "xy"]),), lambda: make("b")) is not first
    assert made == [1, True, "b", "b"]


def test_a_part_not_asked_for_is_forgotten() -> None:
    kept = Kept()
    kept.made("gone", (1,), lambda: "old")
    kept.forget_unused()
    kept.forget_unused()  # a call that did not ask for it
    assert kept.made("gone", (1,), lambda: "new") == "new"


def test_an_interned_value_is_the_one_kept_when_equal() -> None:
    kept = Kept()
    first = kept.interned("places", {"a": "/a/"})
    assert kept.interned("places", {"a": "/a/"}) is first
    assert kept.interned("places", {"a": "/b/"}) == {"a": "/b/"}
    assert kept.interned("n", 1) == 1 and kept.interned("n", True) is True


def test_series_data_equal_by_value_but_rewritten_is_checked_again() -> None:
    """`planned: 1` and `planned: true` read as equal dicts; only the second is an error."""
    config = _config()
    one = SERIES.replace("planned: 5", "planned: 1")
    sources = SiteSources(
        site_dir=Path("."),
        posts=(_source("content/posts/a.md", post("A", series="cloud", part=1)),),
        pages=(),
        authors=_data("authors.yml", AUTHORS),
        series=_data("series.yml", one),
        images=(),
        static=(),
    )
    render = rendering_once()
    kept = Kept()
    selection = Selection(now=NOW)
    _, errors = assemble(config, sources, selection=selection, kept=kept, render_bodies=render)
    assert errors == []
    rewritten = dataclasses.replace(
        sources, series=_data("series.yml", one.replace("planned: 1", "planned: true"))
    )
    assert rewritten.series == sources.series  # YAML's true == 1
    again = assemble(config, rewritten, selection=selection, kept=kept, render_bodies=render)
    assert again == assemble(config, rewritten, selection=selection)
    assert [error.message for error in again[1]] == [
        "series 'cloud': planned must be a whole number of parts (1 to 1000)"
    ]
