"""_words.c reads the words of a text exactly as audit.plain_words does, and hashes each
window of 5 of them: held to the same words on text made of what escaping is made of."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyblog import audit
from journeyblog.audit import plain_words

native = pytest.importorskip("journeyblog._words", reason="_words.c is built by pip install")

MASK = (1 << 64) - 1


def _word_hash(word: bytes) -> int:
    value = 0
    for byte in word:
        value = (((value << 5) | (value >> 59)) & MASK) ^ byte
    return _finish(value ^ ((len(word) << 56) & MASK))


def _finish(value: int) -> int:
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & MASK
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & MASK
    value ^= value >> 31
    return value | 1


def _expected(data: bytes) -> list[int]:
    """The hashes _words.c should give, from the words plain_words finds."""
    words = [_word_hash(word) for word in plain_words(data, spaced=True).split()]
    hashes = []
    for first in range(len(words) - 4):
        value = 0
        for word in words[first : first + 5]:
            value = ((value + word) * 0x9E3779B97F4A7C15) & MASK
        hashes.append(_finish(value))
    return hashes


PIECES = [
    "a", "Z", "7", " ", "\n", "&", ";", "#", "amp", "&amp;", "&lt;", "&#39;", "&quot;", "x27",
    "\\", "\\u", "00e9", "0041", "\\n", "%", "%2C", "%20", "2c", "é", "\u2019", "\u2013", "\xa0",
    "£", "<p>", "</em>", "word", "Data", "centre", "-", ".", "\u00bf", "\u2070", "\u20ac", "ŵ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_the_native_words_are_plain_words(pieces: list[str]) -> None:
    data = "".join(pieces).encode("utf-8")
    assert native.grams(data, 1) == _expected(data)


def test_a_window_found_in_the_table_is_reported_with_its_first_word() -> None:
    secret = b"the estates team will move 212 servers over the summer"
    table, bits = native.index(audit.array("Q", native.grams(secret, 1)))
    page = b"<p>Our &quot;Estates team\nwill move 212 servers&quot; over there.</p>"
    # Words of the page: p our estates team will move 212 servers over there p.
    assert [index for index, _ in native.hits(page, table, bits, 1)[0]] == [2, 3, 4]
    assert [index for index, _ in native.hits(page, table, bits, 4)[0]] == [4]
