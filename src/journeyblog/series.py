"""A series' parts in order: numbering, previous/next, planned parts, duplicates.

Pure functions over part numbers and links. Knows nothing of levels: the caller passes only
what this audience may see (and, in placeholder mode, the numbers of withheld parts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from journeyblog.model import PartEntry, PostLink, Series, SeriesPosition


def series_total(
    published: Sequence[int], *, planned: int | None, withheld: Sequence[int] = ()
) -> int:
    """The Y of "Part X of Y": the highest part number published, shown or planned.

    Parts 1, 2 and 4 make 4 (part 3 is a gap, not a part); with `planned: 7`, 7.
    """
    return max([*published, *withheld, planned or 0])


def positions(
    parts: Mapping[int, PostLink],
    *,
    series_slug: str,
    series_title: str,
    series_url: str,
    planned: int | None,
    withheld: Sequence[int] = (),
) -> dict[int, SeriesPosition]:
    """The position of every published part.

    `parts` maps part number -> link for the published parts. `withheld` lists the numbers of
    parts that exist but are not published here and are to be shown as "not published"
    (placeholder mode); pass nothing to link around them. Planned parts beyond the last part
    written are listed as "coming soon"; gaps in the middle are not invented.
    """
    numbers = sorted(parts)
    shown_withheld = sorted(set(withheld) - set(numbers))
    total = series_total(numbers, planned=planned, withheld=shown_withheld)
    last_written = max([*numbers, *shown_withheld], default=0)
    upcoming = range(last_written + 1, (planned or 0) + 1)

    # One entry a part, shared by every part's list (only the current part's own differs),
    # so the build digests a series' list once, not once a part.
    listed: dict[int, PartEntry] = {}
    for other in sorted([*numbers, *shown_withheld, *upcoming]):
        if other in parts:
            listed[other] = PartEntry(number=other, state="published", link=parts[other])
        elif other in shown_withheld:
            listed[other] = PartEntry(number=other, state="withheld")
        else:
            listed[other] = PartEntry(number=other, state="planned")

    result = {}
    for index, number in enumerate(numbers):
        current = PartEntry(number=number, state="current", link=parts[number])
        entries = [current if other == number else entry for other, entry in listed.items()]
        result[number] = SeriesPosition(
            series_slug=series_slug,
            series_title=series_title,
            series_url=series_url,
            part=number,
            total=total,
            previous=parts[numbers[index - 1]] if index > 0 else None,
            next=parts[numbers[index + 1]] if index + 1 < len(numbers) else None,
            parts=tuple(entries),
        )
    return result


def duplicate_parts(claims: Sequence[tuple[str, int, str]]) -> list[tuple[str, int, list[str]]]:
    """Given (series, part, who) claims, every (series, part) claimed more than once, with who."""
    seen: dict[tuple[str, int], list[str]] = {}
    for series, part, who in claims:
        seen.setdefault((series, part), []).append(who)
    return [(series, part, whos) for (series, part), whos in seen.items() if len(whos) > 1]


def newest_series(series: Sequence[Series], count: int) -> tuple[Series, ...]:
    """The `count` series most recently added to, newest first; all of them, in their own
    order, if there are no more than `count` (a page that lists some, and links to all)."""
    if len(series) <= count:
        return tuple(series)
    latest = sorted(series, key=lambda one: (one.latest is not None, one.latest), reverse=True)
    return tuple(latest[:count])
