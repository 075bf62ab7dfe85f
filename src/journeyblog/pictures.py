"""Pictures under content/images/: which can be read safely.

A picture is opened only after its header says how many pixels it has: one over the site's
`max_image_pixels` (or Pillow's decompression-bomb limit) is an error naming the file, never
a raw Pillow warning or a build that runs out of memory.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from journeyblog.errors import SiteError

PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")


def oversized(paths: Iterable[Path], *, max_pixels: int) -> list[SiteError]:
    """An error for each picture larger than `max_pixels` or than Pillow will read."""
    errors = []
    for path in paths:
        if path.suffix.lower() not in PICTURE_SUFFIXES:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(path) as image:  # reads the header only
                    width, height = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            errors.append(SiteError(path, None, _too_large("too many pixels", max_pixels)))
            continue
        except OSError:
            continue  # not a picture Pillow knows: copied as it is, never opened
        if width * height > max_pixels:
            size = f"{width}x{height}, {width * height / 1e6:.1f} megapixels"
            errors.append(SiteError(path, None, _too_large(size, max_pixels)))
    return errors


def _too_large(size: str, max_pixels: int) -> str:
    return (
        f"picture too large to read safely ({size}; the limit is {max_pixels / 1e6:g}"
        " megapixels): resize it, or raise max_image_pixels in journeyblog.toml"
    )
