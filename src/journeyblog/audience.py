"""Who may read what: security levels, drafts and the publication cutoff.

Owns the one decision every output channel depends on, `exclusion_reason`, and the stripping
of `<!-- level: internal -->…<!-- /level -->` blocks from bodies below their level. Fails
closed: a missing or unknown level is never treated as public.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from journeyblog.model import SecurityLevel

Reason = Literal["level", "draft", "future"]


def security_levels(names: Sequence[str]) -> tuple[SecurityLevel, ...]:
    """Levels from the config's list, lowest first."""
    return tuple(SecurityLevel(rank=rank, name=name) for rank, name in enumerate(names))


def parse_level(value: object, levels: Sequence[SecurityLevel]) -> SecurityLevel | None:
    """ "Public", "PUBLIC " and "public" are the same level; anything else is None."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    return next((level for level in levels if level.name == wanted), None)


def exclusion_reason(
    *,
    level: SecurityLevel,
    draft: bool,
    date: datetime,
    audience: SecurityLevel,
    cutoff: datetime | None,
    include_drafts: bool = False,
) -> Reason | None:
    """Why a post must not be published to `audience`, or None if it may be.

    `cutoff` is the build's "now"; None publishes future-dated posts too (`--future`).
    """
    if level.rank > audience.rank:
        return "level"
    if draft and not include_drafts:
        return "draft"
    if cutoff is not None and date > cutoff:
        return "future"
    return None


_BLOCK = re.compile(
    r"<!--\s*level:\s*(?P<level>[^\s>]*)\s*-->(?P<inner>.*?)<!--\s*/level\s*-->\n?",
    re.DOTALL | re.IGNORECASE,
)
_MARKER = re.compile(r"<!--\s*/?level\b", re.IGNORECASE)


def strip_level_blocks(
    body: str, *, audience: SecurityLevel, levels: Sequence[SecurityLevel]
) -> tuple[str, list[tuple[int, str]], list[str]]:
    """Remove the blocks above `audience`; keep the rest without their markers.

    Returns (body, problems as (line within body, message), texts of the removed blocks).
    An unknown level in a block, or a marker left unpaired, is a problem (fail closed: the
    block is removed).
    """
    if "<!--" not in body:
        return body, [], []
    problems: list[tuple[int, str]] = []
    removed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        level = parse_level(match.group("level"), levels)
        if level is None:
            line = body.count("\n", 0, match.start()) + 1
            known = ", ".join(item.name for item in levels)
            problems.append(
                (
                    line,
                    f"unknown level '{match.group('level')}' in a level block"
                    f" (use one of: {known})",
                )
            )
        if level is None or level.rank > audience.rank:
            removed.append(match.group("inner"))
            return ""
        return match.group("inner")

    result = _BLOCK.sub(replace, body)
    for stray in _MARKER.finditer(result):
        line = result.count("\n", 0, stray.start()) + 1
        problems.append(
            (line, "level block marker without its pair (close it with <!-- /level -->)")
        )
    return result, problems, removed
