"""audience.py: levels and the fail-closed publication decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeyblog.audience import exclusion_reason, parse_level, security_levels

LEVELS = security_levels(["public", "internal", "restricted"])
PUBLIC, INTERNAL, RESTRICTED = LEVELS
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_levels_are_ranked_lowest_first() -> None:
    assert [level.name for level in LEVELS] == ["public", "internal", "restricted"]
    assert PUBLIC < INTERNAL < RESTRICTED
    assert PUBLIC.label == "Public"


@pytest.mark.parametrize("value", ["public", "Public", " PUBLIC ", "pUbLiC"])
def test_parse_level_ignores_case_and_spaces(value: str) -> None:
    assert parse_level(value, LEVELS) == PUBLIC


@pytest.mark.parametrize("value", [None, "", "secret", "publicish", 0, ["public"], True])
def test_parse_level_fails_closed(value: object) -> None:
    assert parse_level(value, LEVELS) is None


def _reason(**overrides: object) -> str | None:
    values: dict[str, object] = {
        "level": PUBLIC,
        "draft": False,
        "date": NOW - timedelta(days=1),
        "audience": PUBLIC,
        "cutoff": NOW,
    }
    values.update(overrides)
    return exclusion_reason(**values)  # type: ignore[arg-type]


def test_a_plain_public_post_is_published() -> None:
    assert _reason() is None


@pytest.mark.parametrize(
    ("level", "audience", "expected"),
    [
        (PUBLIC, PUBLIC, None),
        (INTERNAL, PUBLIC, "level"),
        (RESTRICTED, PUBLIC, "level"),
        (PUBLIC, INTERNAL, None),
        (INTERNAL, INTERNAL, None),
        (RESTRICTED, INTERNAL, "level"),
        (RESTRICTED, RESTRICTED, None),
    ],
)
def test_level_above_the_audience_is_withheld(
    level: object, audience: object, expected: object
) -> None:
    assert _reason(level=level, audience=audience) == expected


def test_drafts_are_withheld_unless_asked_for() -> None:
    assert _reason(draft=True) == "draft"
    assert _reason(draft=True, include_drafts=True) is None


def test_level_wins_over_draft_and_drafts_flag() -> None:
    assert _reason(level=INTERNAL, draft=True, include_drafts=True) == "level"


def test_future_posts_wait_for_the_cutoff() -> None:
    assert _reason(date=NOW + timedelta(seconds=1)) == "future"
    assert _reason(date=NOW) is None  # due exactly now: published
    assert _reason(date=NOW + timedelta(days=30), cutoff=None) is None  # --future


def test_cutoff_compares_instants_across_timezones() -> None:
    # 12:30 in London in November is 12:30 UTC: after a 12:00 UTC cutoff.
    london = datetime(2026, 11, 25, 12, 30, tzinfo=ZoneInfo("Europe/London"))
    assert _reason(date=london) == "future"
    tokyo = datetime(2026, 11, 25, 20, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 11:30 UTC
    assert _reason(date=tokyo) is None
