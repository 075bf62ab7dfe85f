"""What a rendering reads, noted as it reads it.

Inside `recording()`, the objects a page's rendering is handed note what is read of them:
the Site each value it is asked for (render.SiteReads), the Jinja environment each template
it loads (render.make_environment's), and a post's or page's Body any part of its content
(model.Body). The engine keeps the `Reads` of each page it makes and, on the next build,
makes the page again only when one of the values it read has changed (Job.key_for).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reads:
    """What one rendering read: the Site's values and the templates, by name; the bodies,
    each by `body_mark` of what it was made from ("" for a body of unknown making), and
    the bodies of which it read the word count alone, the same way."""

    site: frozenset[str] = frozenset()
    templates: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()
    counts: frozenset[str] = frozenset()  # the bodies of which only the word count was read

    def to_json(self) -> str:
        return json.dumps([sorted(part) for part in self._parts()])

    def _parts(self) -> tuple[frozenset[str], ...]:
        return self.site, self.templates, self.bodies, self.counts

    @classmethod
    def from_json(cls, text: str) -> Reads:
        site, templates, bodies, counts = json.loads(text)
        return cls(frozenset(site), frozenset(templates), frozenset(bodies), frozenset(counts))


@dataclass(slots=True)
class Reading:
    """The notes of a rendering under way."""

    site: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    bodies: dict[int, Any] = field(default_factory=dict)  # id -> model.Body
    counted: dict[int, Any] = field(default_factory=dict)  # its word count read

    def reads(self) -> Reads:
        """The notes as a value: called once the rendering is done."""
        return Reads(
            frozenset(self.site),
            frozenset(self.templates),
            frozenset(body.mark for body in self.bodies.values()),
            frozenset(body.mark for key, body in self.counted.items() if key not in self.bodies),
        )


def body_mark(key: str, made_from: str) -> str:
    """A short stand-in for what a body was made from; "" if that is not known (`key` "")."""
    if not key:
        return ""
    return hashlib.blake2b(made_from.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# A context variable rather than an argument: bodies and templates are read deep inside
# Jinja, and each thread of the dev server renders with notes of its own.
_reading: ContextVar[Reading | None] = ContextVar("journeyblog_reading", default=None)


@contextlib.contextmanager
def recording() -> Iterator[Reading]:
    """Note what is read until the block ends."""
    reading = Reading()
    token = _reading.set(reading)
    try:
        yield reading
    finally:
        _reading.reset(token)


def current() -> Reading | None:
    """The notes of the rendering under way, if one is being recorded."""
    return _reading.get()
