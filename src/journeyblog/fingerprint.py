"""Fingerprints of model values: what a page's or a feed's bytes depend on.

A fingerprint changes whenever the value would render differently. Posts and pages are
digested once each (their HTML with a fast hash, the rest by repr: frozen dataclasses have a
deterministic repr), so fingerprinting every page of a 10,000-post site costs a fraction of
rendering one of them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Mapping

from journeyblog.model import Page, Post


def digest(parts: Iterable[str]) -> str:
    """One hex digest of several strings (length-prefixed: ("ab", "c") differs from ("a", "bc"))."""
    text = "".join([f"{len(part)}\x00{part}" for part in parts])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Fingerprints:
    """Digests of model values, each post, page and other model object digested once.

    Remembered by identity, holding the object so that its id cannot be reused: the same
    Series or TagListing appears in the context of every page that shows it. With
    bodies=False a post or page is digested without its body and what the body decides
    (toc, word count): what a list shows of it.
    """

    def __init__(self) -> None:
        self._known: dict[tuple[int, bool], tuple[object, str]] = {}
        self._bare_reprs: dict[int, tuple[object, str]] = {}

    def of(self, value: object, *, bodies: bool = True) -> str:
        """The digest of any model value, context dict or tuple of them."""
        parts: list[str] = []
        self._collect(value, bodies, parts)
        return digest(parts)

    def _collect(self, value: object, bodies: bool, parts: list[str]) -> None:
        """Append the strings that stand for `value` (a list, not generators: it is hot)."""
        if isinstance(value, Mapping):
            for key in sorted(value):
                parts.append(str(key))
                self._collect(value[key], bodies, parts)
        elif isinstance(value, tuple | list):
            parts.append(f"[{len(value)}")
            for item in value:
                self._collect(item, bodies, parts)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            parts.append(self._model(value, bodies))
        else:
            parts.append(repr(value))

    def _model(self, value: object, bodies: bool) -> str:
        known = self._known.get((id(value), bodies))
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, Post | Page):
            body = "-"
            if bodies:
                body = hashlib.blake2b(str(value.html).encode("utf-8"), digest_size=16).hexdigest()
            result = digest((body, self._bare(value)))
        else:
            assert dataclasses.is_dataclass(value) and not isinstance(value, type)
            parts = [type(value).__name__]
            for name in _field_names(type(value)):
                self._collect(getattr(value, name), bodies, parts)
            result = digest(parts)
        self._known[(id(value), bodies)] = (value, result)
        return result

    def _bare(self, document: Post | Page) -> str:
        """A post's or page's repr without its body: shared by both digests of it.

        The body decides the toc and word count too (render.BODY_FIELDS), so they go with
        it: digested in the body's hash, left out here.
        """
        known = self._bare_reprs.get(id(document))
        if known is not None and known[0] is document:
            return known[1]
        bare = dataclasses.replace(document, html=type(document.html)(""), toc=())
        if isinstance(bare, Post):
            bare = dataclasses.replace(bare, words=0, search_words="")
        text = repr(bare)
        self._bare_reprs[id(document)] = (document, text)
        return text


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))
