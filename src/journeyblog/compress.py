"""Text output -> its `.gz` and `.br` copies, for hosts that serve precompressed files.

With `precompress = true` every text file above MIN_SIZE gets both copies beside it (nginx
`gzip_static`, `brotli_static`, many CDNs serve them in place of compressing on the fly).
The copies are kept in the build cache by the digest of what they compress, so a file made
again with the same bytes is not compressed again. The bytes are the same on every build:
gzip without a name or a time, brotli at a fixed quality.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import brotli
import xxhash

SUFFIXES = (".gz", ".br")
TEXT = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".webmanifest")
MIN_SIZE = 1024  # below this a compressed copy saves less than a request's headers
# Nearly the size of the slowest qualities at a small part of their time (bench/LOG.md).
BROTLI_QUALITY = 5


def compressible(path: str, size: int) -> bool:
    """Whether a file of the output gets compressed copies."""
    return size > MIN_SIZE and path.endswith(TEXT)


def compressed(data: bytes, cache: Path | None = None) -> tuple[bytes, bytes]:
    """(gzip, brotli) of `data`, from `cache` (a folder) when it holds them."""
    key = xxhash.xxh3_128_hexdigest(data)
    if cache is not None:
        try:
            return (cache / f"{key}.gz").read_bytes(), (cache / f"{key}.br").read_bytes()
        except OSError:
            pass
    copies = (
        gzip.compress(data, compresslevel=9, mtime=0),
        brotli.compress(data, quality=BROTLI_QUALITY),
    )
    if cache is not None:
        for suffix, copy in zip(SUFFIXES, copies, strict=True):
            _keep(cache / f"{key}{suffix}", copy)
    return copies


def _keep(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: workers may write the same one at once."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only cache only costs compressing again
