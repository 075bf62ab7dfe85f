"""Fingerprints of model values: what a page's or a feed's bytes depend on.

A fingerprint changes whenever the value would render differently. Posts and pages are
digested once each (their HTML with a fast hash, the rest by repr: frozen dataclasses have a
deterministic repr), so fingerprinting every page of a 10,000-post site costs a fraction of
rendering one of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping

from journeyblog.model import Page, Post


def digest(parts: Iterable[str]) -> str:
    """One hex digest of several strings (separated, so ("ab", "c") differs from ("a", "bc"))."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", errors="surrogatepass")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


class Fingerprints:
    """Digests of model values, each post and page digested once."""

    def __init__(self) -> None:
        self._posts: dict[int, str] = {}

    def of(self, value: object) -> str:
        """The digest of any model value, context dict or tuple of them."""
        return digest(self._parts(value))

    def _parts(self, value: object) -> Iterable[str]:
        if isinstance(value, Post | Page):
            yield self._document(value)
        elif isinstance(value, Mapping):
            for key in sorted(value):
                yield str(key)
                yield from self._parts(value[key])
        elif isinstance(value, tuple | list):
            yield f"[{len(value)}"
            for item in value:
                yield from self._parts(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield type(value).__name__
            for field in dataclasses.fields(value):
                yield from self._parts(getattr(value, field.name))
        else:
            yield repr(value)

    def _document(self, value: Post | Page) -> str:
        known = self._posts.get(id(value))
        if known is None:
            body = hashlib.blake2b(str(value.html).encode("utf-8"), digest_size=16).hexdigest()
            rest = repr(dataclasses.replace(value, html=type(value.html)("")))
            known = digest((body, rest))
            self._posts[id(value)] = known
        return known
