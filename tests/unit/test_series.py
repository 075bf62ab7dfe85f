"""series.py: a series' parts in order, previous/next, planned parts, gaps and duplicates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeyblog.model import PostLink, SeriesPosition
from journeyblog.series import duplicate_parts, positions, series_total


def _link(number: int) -> PostLink:
    return PostLink(title=f"Title {number}", url=f"/posts/p{number}/", summary="", part=number)


def _positions(
    numbers: list[int], *, planned: int | None = None, withheld: tuple[int, ...] = ()
) -> dict[int, SeriesPosition]:
    return positions(
        {n: _link(n) for n in numbers},
        series_slug="cloud",
        series_title="Journey to the Cloud",
        series_url="/series/cloud/",
        planned=planned,
        withheld=withheld,
    )


def _listing(position: SeriesPosition) -> list[tuple[int, str]]:
    return [(entry.number, entry.state) for entry in position.parts]


def test_total_is_the_highest_part_published_or_planned() -> None:
    assert series_total([1, 2, 4], planned=None) == 4
    assert series_total([1, 2, 4], planned=7) == 7
    assert series_total([1, 2, 4], planned=2) == 4
    assert series_total([1], planned=None, withheld=[3]) == 3


def test_a_gap_is_not_invented() -> None:
    places = _positions([4, 1, 2])
    assert sorted(places) == [1, 2, 4]
    fourth = places[4]
    assert (fourth.part, fourth.total) == (4, 4)
    assert _listing(fourth) == [(1, "published"), (2, "published"), (4, "current")]
    assert fourth.previous == _link(2)
    assert fourth.next is None
    assert places[2].next == _link(4)
    assert places[1].previous is None


def test_each_position_names_its_series() -> None:
    first = _positions([1])[1]
    assert (first.series_slug, first.series_title, first.series_url) == (
        "cloud",
        "Journey to the Cloud",
        "/series/cloud/",
    )
    assert first.parts[0].link == _link(1)


def test_planned_parts_after_the_last_written_are_coming_soon() -> None:
    places = _positions([1, 2, 4], planned=6)
    assert places[1].total == 6
    assert _listing(places[1]) == [
        (1, "current"),
        (2, "published"),
        (4, "published"),
        (5, "planned"),
        (6, "planned"),
    ]
    planned = [entry for entry in places[1].parts if entry.state == "planned"]
    assert all(entry.link is None for entry in planned)
    assert places[4].next is None  # a planned part is not a page to go to


def test_planned_below_what_is_written_adds_nothing() -> None:
    places = _positions([1, 2, 3], planned=2)
    assert places[1].total == 3
    assert [state for _, state in _listing(places[3])] == ["published", "published", "current"]


def test_withheld_parts_are_placeholders_and_links_skip_them() -> None:
    places = _positions([1, 3], withheld=(2, 4))
    assert _listing(places[1]) == [
        (1, "current"),
        (2, "withheld"),
        (3, "published"),
        (4, "withheld"),
    ]
    assert places[1].total == 4
    assert places[1].next == _link(3)
    assert places[3].previous == _link(1)
    assert all(entry.link is None for entry in places[1].parts if entry.state == "withheld")


def test_duplicate_parts_name_every_claimant() -> None:
    claims = [
        ("cloud", 1, "a.md"),
        ("cloud", 2, "b.md"),
        ("cloud", 2, "c.md"),
        ("data", 2, "d.md"),
        ("cloud", 2, "e.md"),
    ]
    assert duplicate_parts(claims) == [("cloud", 2, ["b.md", "c.md", "e.md"])]
    assert duplicate_parts([("cloud", 1, "a.md"), ("data", 1, "b.md")]) == []


@given(
    numbers=st.sets(st.integers(min_value=1, max_value=40), min_size=1, max_size=12),
    planned=st.none() | st.integers(min_value=1, max_value=50),
)
def test_positions_chain_in_order_for_any_parts(numbers: set[int], planned: int | None) -> None:
    places = _positions(list(numbers), planned=planned)
    ordered = sorted(numbers)
    assert sorted(places) == ordered
    for index, number in enumerate(ordered):
        place = places[number]
        assert place.part == number
        assert place.total == max(ordered[-1], planned or 0)
        expected_previous = _link(ordered[index - 1]) if index else None
        expected_next = _link(ordered[index + 1]) if index + 1 < len(ordered) else None
        assert (place.previous, place.next) == (expected_previous, expected_next)
        listed = [entry.number for entry in place.parts]
        assert listed == sorted(set(listed))
        # Every written part once; nothing invented between them; planned only after the last.
        assert [n for n in listed if n <= ordered[-1]] == ordered
        assert [n for n in listed if n > ordered[-1]] == list(
            range(ordered[-1] + 1, place.total + 1)
        )
        assert [entry.number for entry in place.parts if entry.state == "current"] == [number]
