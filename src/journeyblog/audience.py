"""Who may read what: security levels, drafts and the publication cutoff.

Owns the one decision every output channel depends on, `exclusion_reason`. Fails closed: a
missing or unknown level is never treated as public. (Level blocks inside a body: markers.py.)
"""

from __future__ import annotations

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
