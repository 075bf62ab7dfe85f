"""Fingerprints of model values: what a page's or a feed's bytes depend on.

A fingerprint changes whenever the value would render differently. Every model object is
digested once a build, field by field (a value that is no model object by its repr), and a
post's or page's HTML with a fast hash, so fingerprinting every page of a 10,000-post site
costs a fraction of rendering one of them.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

from journeyblog.digests import bytes_digest, digest
from journeyblog.model import Page, Post


def _digest_of_parts(parts: list[str]) -> str:
    """digest(parts) for the parts a Fingerprints collects, a third of the cost.

    Those parts are reprs, type names and hex digests, which hold no NUL (repr escapes it),
    so joined by NULs no two lists join alike without a length before each. A part that
    holds one anyway (a value whose own __repr__ prints a NUL) is caught by the count and
    digested the general way.
    """
    joined = "\x00".join(parts)
    if joined.count("\x00") != len(parts) - 1:
        return digest(parts)
    return bytes_digest(joined.encode("utf-8", "surrogatepass"))


# What of a post's or page's body a digest covers: all of it (True), its word count alone
# (WORDS: a list that shows reading times), or none of it (False: what a list shows).
WORDS: Literal["words"] = "words"
Shown = bool | Literal["words"]


class Fingerprints:
    """Digests of model values, each post, page and other model object digested once.

    Remembered by identity, holding the object so that its id cannot be reused: the same
    Series or TagListing appears in the context of every page that shows it. With
    bodies=False a post or page is digested without its body and what the body decides
    (toc, word count): what a list shows of it; with bodies=WORDS, with its word count.
    """

    def __init__(self) -> None:
        # By id, one table for each value of `bodies`: (the object, its digest).
        self._known: dict[Shown, dict[int, tuple[object, str]]] = {
            True: {},
            WORDS: {},
            False: {},
        }
        self._bare_digests: dict[int, tuple[object, str]] = {}

    def of(self, value: object, *, bodies: Shown = True) -> str:
        """The digest of any model value, context dict or tuple of them."""
        parts: list[str] = []
        self._collect(value, bodies, parts)
        return _digest_of_parts(parts)

    def _collect(self, value: object, bodies: Shown, parts: list[str]) -> None:
        """Append the strings that stand for `value` (a list, not generators: it is hot)."""
        kind = _kind(type(value))
        if kind is _PLAIN:
            parts.append(repr(value))
        elif kind is _MODEL:
            parts.append(self._model(value, bodies))
        elif kind is _FILE:
            parts.append(_file(value))
        elif kind is _SEQUENCE:
            assert isinstance(value, tuple | list)
            parts.append(f"[{len(value)}")
            self._collect_each(value, bodies, parts)
        else:
            assert isinstance(value, Mapping)
            keys = sorted(value)
            for key in keys:
                parts.append(repr(key))
                self._collect_each((value[key],), bodies, parts)

    def _collect_each(self, values: Iterable[object], bodies: Shown, parts: list[str]) -> None:
        """_collect for each value, a plain value or model object without a call of its own:
        they are most of the values, and a call costs more than what it does for them."""
        for value in values:
            kind = _kind(type(value))
            if kind is _PLAIN:
                parts.append(repr(value))
            elif kind is _MODEL:
                parts.append(self._model(value, bodies))
            else:
                self._collect(value, bodies, parts)

    def _model(self, value: object, bodies: Shown) -> str:
        known_here = self._known[bodies]
        known = known_here.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, Post | Page):
            body = "-"
            if bodies is True:
                # The key the body was rendered under stands for everything it was made
                # from, and is cheaper than hashing the html.
                body = value.body_key or bytes_digest(
                    str(value.html).encode("utf-8", "surrogatepass")
                )
            elif bodies == WORDS:
                body = f"words {value.body.words}"
            result = _digest_of_parts([body, self._bare(value)])
        else:
            kind: type = type(value)
            parts = [kind.__name__]
            self._collect_each(_fields_of(kind)(value), bodies, parts)
            result = _digest_of_parts(parts)
        known_here[id(value)] = (value, result)
        return result

    def _bare(self, document: Post | Page) -> str:
        """A post's or page's digest without its body: shared by both digests of it.

        The body decides the toc and word count too (model.Body holds them), so they go with
        it: digested in the body's hash, left out here. A field holding a model object (the
        author, the series position) is digested as one, so what many posts share (an
        author, the entries of a series' list of parts) is digested once a build.
        """
        known = self._bare_digests.get(id(document))
        if known is not None and known[0] is document:
            return known[1]
        kind: type = type(document)
        parts = [kind.__name__]
        for value in _bare_fields_of(kind)(document):
            # A model object is often shared: digested once a build. Anything else by its
            # repr, not by _collect: a post's tuples (tags, aliases) are quicker that way.
            how = _kind(type(value))
            if how is _MODEL:
                parts.append(self._model(value, False))
            elif how is _FILE:
                parts.append(_file(value))
            else:
                parts.append(repr(value))
        text = _digest_of_parts(parts)
        self._bare_digests[id(document)] = (document, text)
        return text


# What a post's or page's body decides: the Body holds all of it (html, toc, word count).
_BODY_FIELDS = frozenset({"body"})


_PLAIN, _MODEL, _FILE, _SEQUENCE, _MAPPING = "plain", "model", "file", "sequence", "mapping"


def _kind_of(kind: type) -> str:
    """How values of a type are digested."""
    if issubclass(kind, Mapping):
        return _MAPPING
    if issubclass(kind, tuple | list):
        return _SEQUENCE
    if dataclasses.is_dataclass(kind):
        return _MODEL
    if issubclass(kind, Path):
        return _FILE
    return _PLAIN


def _file(path: object) -> str:
    """A file's place, the same however the site folder was named: "." in it, or its path
    from elsewhere (the same site built from another folder is not made again)."""
    assert isinstance(path, Path)
    return f"file:{os.path.abspath(path)}"


_kind: Callable[[type], str] = functools.cache(_kind_of)  # asked per value: once a type


@functools.cache
def _fields_of(kind: type) -> Callable[[object], tuple[object, ...]]:
    """A model type's field values, in order, as one tuple (read in C, not one getattr each)."""
    return _getter(tuple(field.name for field in dataclasses.fields(kind)))


@functools.cache
def _bare_fields_of(kind: type) -> Callable[[object], tuple[object, ...]]:
    """A post's or page's field values but for what its body decides."""
    names = (field.name for field in dataclasses.fields(kind))
    return _getter(tuple(name for name in names if name not in _BODY_FIELDS))


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple of it
        name = names[0]
        return lambda value: (getattr(value, name),)
    if not names:
        return lambda value: ()
    return operator.attrgetter(*names)
