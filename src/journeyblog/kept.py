"""What a pure function made, kept by its caller for the next call over nearly the same input.

The dev server assembles and plans a large site after every save. Handed a `Kept`, the
stages that make one value a post (site.assemble, cards.previews, render.page_specs) take
each from what the last call made when it is made from the same objects: an unchanged post
stays the same object from one save to the next, and what is made from it is kept in turn.
The result is what the stage gives without it. A stage may also `remember` what it knew for
the next call: site.assemble what site.revise needs to make one edited post again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import is_
from typing import Any, TypeVar

_T = TypeVar("_T")


class Kept:
    """What one call of a stage made, each part by a key and with what it was made from."""

    def __init__(self) -> None:
        # key -> (what it was made from, what was made): the last call's, and this one's
        self._last: dict[Hashable, tuple[tuple[object, ...], Any]] = {}
        self._this: dict[Hashable, tuple[tuple[object, ...], Any]] = {}
        self._values: dict[str, object] = {}
        self._parts: dict[str, Kept] = {}
        self._remembered: dict[str, object] = {}

    def made(self, key: Hashable, inputs: tuple[object, ...], make: Callable[[], _T]) -> _T:
        """make(), a pure function of `inputs`; or what it gave last, if made from the very
        same objects (equal is not enough: 1 == True). A value made again each call is
        interned first (`interned`).

        A key may hold the id() of an object that `inputs` holds: while the entry is kept,
        that object lives, and no other has its id."""
        known = self._last.get(key)
        if known is not None and len(known[0]) == len(inputs) and all(map(is_, known[0], inputs)):
            value: _T = known[1]
        else:
            value = make()
        self._this[key] = (inputs, value)
        return value

    def interned(self, name: str, value: _T) -> _T:
        """`value`, or the one kept under `name` if it is equal: a large value made again
        each call (where each link leads) is then compared once, not once a post."""
        known = self._values.get(name)
        if known is not None and type(known) is type(value) and known == value:
            return known
        self._values[name] = value
        return value

    def remember(self, name: str, make: Callable[[], object] | None) -> None:
        """Hold what make() gives under `name` for the next call (None: hold nothing)."""
        if make is None:
            self._remembered.pop(name, None)
        else:
            self._remembered[name] = make()

    def recall(self, name: str) -> object | None:
        """What the last call that remembered `name` held there, if anything."""
        return self._remembered.get(name)

    def part(self, name: str) -> Kept:
        """What a part of the call made (a language's, in a bilingual site), kept apart."""
        return self._parts.setdefault(name, Kept())

    def forget_unused(self) -> None:
        """Drop what the call just done did not ask for: a file removed, or changed."""
        self._last, self._this = self._this, {}


class Unkept(Kept):
    """Nothing kept: what is made once (a build assembles its site once)."""

    def made(self, key: Hashable, inputs: tuple[object, ...], make: Callable[[], _T]) -> _T:
        return make()

    def interned(self, name: str, value: _T) -> _T:
        return value

    def remember(self, name: str, make: Callable[[], object] | None) -> None:
        pass
