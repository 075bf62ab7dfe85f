"""Digests of strings and bytes: the keys the engine compares and the digests it records."""

from __future__ import annotations

from collections.abc import Iterable

import xxhash


def digest(parts: Iterable[str]) -> str:
    """One hex digest of several strings (length-prefixed: ("ab", "c") differs from ("a", "bc"))."""
    return bytes_digest(length_prefixed(parts))


def length_prefixed(parts: Iterable[str]) -> bytes:
    """Several strings as one, each after its length, so that no two lists of them join alike."""
    return "".join([f"{len(part)}\x00{part}" for part in parts]).encode("utf-8", "surrogatepass")


# XXH3, 128 bits: these keys decide which files of the last output are kept, not who may read
# what, so they need no cryptographic hash, and a large site hashes a lot (bench/LOG.md).
bytes_digest = xxhash.xxh3_128_hexdigest
