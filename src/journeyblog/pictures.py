"""Pictures of content/: how large each is, and the copies the site publishes of it.

A picture is opened only after its header says how many pixels it has: one over the site's
`max_image_pixels` (or Pillow's decompression-bomb limit) is an error naming the file, never
a raw Pillow warning or a build that runs out of memory.

A JPEG, PNG or WebP is published as copies made with Pillow (figures.picture names them):
turned upright, resized, and saved without EXIF or XMP, so no published file carries where
a photo was taken or the camera's serial number; the source file is never changed. A copy
is the same bytes for the same source in any process, and is kept under
SITE_DIR/.journeyblog-cache/pictures/<sha256><suffix>, so a fresh output folder reads it
back instead of making it again. That cache is the only disk this module writes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import struct
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

import PIL
import xxhash
from PIL import Image, ImageOps

from journeyblog.digests import length_prefixed
from journeyblog.errors import BuildFailed, SiteError
from journeyblog.figures import RESIZED, Measured, copies_of
from journeyblog.model import Job, Site

PICTURE_SUFFIXES = (
    *(".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".webp", ".bmp", ".tif", ".tiff"),
    *(".heic", ".heif", ".avif"),
)
# Bump when a copy's pixels or encoding change, so cached copies are made again.
PICTURE_VERSION = "1"
CACHE_FOLDER = "pictures"  # under the build cache, SITE_DIR/.journeyblog-cache/

JPEG_QUALITY = 82
WEBP_QUALITY = 80

_ORIENTATION = 0x0112
_GPS_IFD = 0x8825
_GPS_LATITUDE, _GPS_LONGITUDE = 2, 4
_TURNED = (5, 6, 7, 8)  # orientations that swap width and height
# What a file's EXIF may hold that is no bug of ours: a camera's odd tags, cut-off blocks.
_EXIF_PROBLEMS = (OSError, ValueError, KeyError, TypeError, IndexError, struct.error)


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


def unpublishable(
    content_dir: Path,
    relative_paths: Iterable[str],
    measured: Mapping[str, Measured],
    *,
    max_pixels: int,
) -> list[SiteError]:
    """An error for each picture that cannot be published without what it may say of where
    it was taken: too large to read, or not one Pillow reads and holding EXIF, or animated
    (published as it is) or of a format that is not re-encoded, with a GPS location."""
    paths = [path for path in relative_paths if path.lower().endswith(PICTURE_SUFFIXES)]
    # A picture measured is within the limit (measure_all): only the others are opened.
    unmeasured = (content_dir / path for path in paths if path not in measured)
    errors = oversized(unmeasured, max_pixels=max_pixels)
    too_large = {error.path for error in errors}
    for relative in paths:
        path = content_dir / relative
        found = measured.get(relative)
        if found is None and path not in too_large and _holds_exif(path):
            errors.append(
                SiteError(
                    path,
                    None,
                    "cannot be read as a picture, and may say where it was taken (its EXIF"
                    " cannot be removed): export it again as JPEG or PNG",
                )
            )
        elif (
            found is not None and found.location and (found.animated or found.format not in RESIZED)
        ):
            kind = "an animated picture" if found.animated else f"a {found.format} picture"
            errors.append(
                SiteError(
                    path,
                    None,
                    f"holds a GPS location, and {kind} is published as it is: remove the"
                    " location from the file (exiftool -gps:all= FILE)",
                )
            )
    return errors


def damaged(
    content_dir: Path, relative_paths: Iterable[str], measured: Mapping[str, Measured]
) -> list[SiteError]:
    """An error for each picture among `relative_paths` that the build would copy but whose
    pixels cannot all be read (cut short, or damaged after its header). Decodes every one:
    for `check`, not for every build."""
    errors = []
    for relative in relative_paths:
        found = measured.get(relative)
        if found is None or found.format not in RESIZED or found.animated:
            continue
        path = content_dir / relative
        try:
            with warnings.catch_warnings(), Image.open(path) as image:
                warnings.simplefilter("ignore")
                image.draft("RGB", (64, 64))  # a JPEG is read through, at an eighth the cost
                image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            message = f"cannot be read as a picture ({error}): save it again, or remove it"
            errors.append(SiteError(path, None, message))
    return errors


def _holds_exif(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            head = file.read(1 << 20)
    except OSError:
        return False
    # EXIF as JPEG, a PNG chunk and a WebP chunk name it, and XMP.
    return any(tag in head for tag in (b"Exif\x00\x00", b"eXIf", b"EXIF", b"<x:xmpmeta"))


def _too_large(size: str, max_pixels: int) -> str:
    return (
        f"picture too large to read safely ({size}; the limit is {max_pixels / 1e6:g}"
        " megapixels): resize it, or raise max_image_pixels in journeyblog.toml"
    )


# ---------------------------------------------------------------- measuring


def measure(path: Path) -> Measured | None:
    """What the picture's header says (its pixels are not read); None if Pillow cannot read
    it, or it has more pixels than Pillow reads safely.

    Width and height are the picture's upright, as its EXIF orientation turns it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = image.format
                width, height = image.size
                exif = _exif(image)
                animated = bool(getattr(image, "is_animated", False))
    except (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    if kind is None:
        return None
    if _orientation(exif) in _TURNED:
        width, height = height, width
    location = _has_location(exif)
    if not location and (animated or kind not in RESIZED):
        location = _location_anywhere(path)  # published as it is: XMP, EXIF and all
    return Measured(format=kind, width=width, height=height, location=location, animated=animated)


def measure_all(
    content_dir: Path,
    relative_paths: Iterable[str],
    *,
    max_pixels: int,
    memo: Path | None = None,
) -> dict[str, Measured]:
    """What each picture among `relative_paths` (relative to `content_dir`: "images/map.jpg")
    is, by that path; files that are no picture, and pictures over `max_pixels` (an error
    of `oversized`), are left out.

    With `memo` (a file in the build cache), what was measured is kept with each file's
    size, times and inode, and a file whose are unchanged is not opened again: a rebuild
    after an edit need not read every picture's header."""
    known = _recall(memo, 9)
    kept: dict[str, list[object]] = {}
    found: dict[str, Measured] = {}
    for relative in relative_paths:
        if not relative.lower().endswith(PICTURE_SUFFIXES):
            continue
        path = content_dir / relative
        try:
            info = path.stat()
        except OSError:
            continue
        mark: list[object] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        last = known.get(relative)
        measured = _remembered(last[4:]) if last is not None and last[:4] == mark else None
        if measured is None:
            measured = measure(path)
        if measured is None:
            continue
        kept[relative] = [*mark, *_remembering(measured)]
        if measured.width * measured.height <= max_pixels:
            found[relative] = measured
    if memo is not None and kept != known:
        _keep(memo, kept)
    return found


def _remembering(measured: Measured) -> list[object]:
    return [measured.format, measured.width, measured.height, measured.location, measured.animated]


def _remembered(values: list[object]) -> Measured | None:
    kind, width, height, location, animated = values
    if not (isinstance(kind, str) and type(width) is int and type(height) is int):
        return None
    if not (isinstance(location, bool) and isinstance(animated, bool)):
        return None
    return Measured(format=kind, width=width, height=height, location=location, animated=animated)


def _recall(memo: Path | None, length: int) -> dict[str, list[object]]:
    """What a memo `_keep` wrote holds: lists of `length` values by name; nothing if there
    is none, or it is not one (a memo is never trusted further)."""
    if memo is None:
        return {}
    with contextlib.suppress(OSError, ValueError, RecursionError):
        read = json.loads(memo.read_text(encoding="utf-8"))
        if isinstance(read, dict):
            return {k: v for k, v in read.items() if isinstance(v, list) and len(v) == length}
    return {}


def _keep(memo: Path, values: Mapping[str, object]) -> None:
    """Write a memo whole or not at all; a read-only site folder only costs time."""
    temporary = memo.with_name(f".{memo.name}.{os.getpid()}")
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(values, sort_keys=True), encoding="utf-8")
        os.replace(temporary, memo)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _exif(image: Image.Image) -> Image.Exif:
    """The EXIF the header holds. A PNG's is read only if it comes before the pixels:
    Pillow would otherwise decode the whole picture to look behind them."""
    exif = Image.Exif()
    with warnings.catch_warnings(), contextlib.suppress(*_EXIF_PROBLEMS):
        warnings.simplefilter("ignore")  # a damaged EXIF block says nothing: read past it
        if image.format != "PNG":
            return image.getexif()
        raw = image.info.get("exif")
        if isinstance(raw, bytes):
            exif.load(raw)
    return exif


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(_ORIENTATION)
    return value if isinstance(value, int) else 1


def _location_anywhere(path: Path) -> bool:
    """Whether a file names a location anywhere in it: in its XMP (a GIF keeps it at its
    end), or in an EXIF block wherever it stands (a PNG's after its pixels, a WebP's chunk):
    each TIFF header in the file is read as one."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if any(tag in data for tag in (b"GPSLatitude", b"GPSLongitude")):
        return True
    for header in (b"II*\x00", b"MM\x00*"):
        at = data.find(header)
        for _ in range(_MOST_EXIF_BLOCKS):
            if at < 0:
                break
            exif = Image.Exif()
            with warnings.catch_warnings(), contextlib.suppress(*_EXIF_PROBLEMS):
                warnings.simplefilter("ignore")
                exif.load(data[at : at + _EXIF_MOST_BYTES])
            if _has_location(exif):
                return True
            at = data.find(header, at + 4)
    return False


# A file read for EXIF wherever it stands: how many blocks, and how long each may be.
_MOST_EXIF_BLOCKS = 16
_EXIF_MOST_BYTES = 1 << 16


def _has_location(exif: Image.Exif) -> bool:
    with warnings.catch_warnings(), contextlib.suppress(*_EXIF_PROBLEMS):
        warnings.simplefilter("ignore")
        gps = exif.get_ifd(_GPS_IFD)
        return _GPS_LATITUDE in gps or _GPS_LONGITUDE in gps
    return False


# ---------------------------------------------------------------- copies


def picture_jobs(
    site: Site, site_dir: Path, cache_dir: Path | None, *, measured: Mapping[str, Measured]
) -> list[Job]:
    """A job for every file a picture of `site.pictures` is published as, if it is a JPEG,
    PNG or WebP (`measured` says which): its copies in srcset and its full copy, which takes
    the picture's own URL. Others, and animated ones (a still copy would lose the motion),
    are published as they are (build.assets).

    With `cache_dir` (the build cache), copies are kept under its pictures/ folder; with
    None, made afresh and not kept (`build --no-cache`).
    """
    folder = cache_dir / CACHE_FOLDER if cache_dir is not None else None
    base_path = site.info.base_path
    resized = [
        (file, picture)
        for file, picture in site.pictures
        if file in measured and measured[file].format in RESIZED and not measured[file].animated
    ]
    digests = file_digests({file: site_dir / "content" / file for file, _ in resized}, folder)
    jobs: list[Job] = []
    for file, picture in resized:
        found = measured[file]
        source = site_dir / "content" / file
        digest = digests.get(file)
        if digest is None:
            continue  # gone since it was measured: the build's link check names it
        in_webp = {url for url, _ in picture.webp}
        for url, width in copies_of(picture):
            suffix = ".webp" if url in in_webp else RESIZED[found.format]
            key = copy_key(digest, width, suffix)
            cached = folder / f"{key}{suffix}" if folder is not None else None
            make = functools.partial(cached_copy, source, width, suffix, cached)
            path = unquote(url.removeprefix(base_path))
            jobs.append(Job(path, key, make, site_wide=False))
    return jobs


def copy_key(source_digest: str, width: int, suffix: str) -> str:
    """The hash of everything that decides a copy's bytes."""
    made = (PICTURE_VERSION, PIL.__version__, source_digest, str(width), suffix)
    return hashlib.sha256(length_prefixed(made)).hexdigest()


def file_digests(files: Mapping[str, Path], folder: Path | None) -> dict[str, str]:
    """A digest of each file's bytes, by its name in `files`; a file that cannot be read
    has none. With `folder`, the digests are kept there with each file's size, times and
    inode: a file whose are unchanged is not read again (up_to_date trusts them alike)."""
    memo = folder / "digests.json" if folder is not None else None
    known = _recall(memo, 5)
    digests: dict[str, str] = {}
    # Builds for other audiences publish other pictures: what they read is kept too.
    kept = dict(known)
    for name, path in files.items():
        try:
            info = path.stat()
            mark: list[object] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
            last = known.get(name)
            if last is not None and last[:4] == mark and isinstance(last[4], str):
                digest = last[4]
            else:
                digest = _file_digest(path)
        except OSError:
            continue
        digests[name] = digest
        kept[name] = [*mark, digest]
    if memo is not None and kept != known:
        _keep(memo, kept)
    return digests


def _file_digest(path: Path) -> str:
    """A fast hash of a file's bytes, read a block at a time: a photograph may be large."""
    hasher = xxhash.xxh3_128()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


def cached_copy(source: Path, width: int, suffix: str, cached: Path | None) -> bytes:
    """The copy's bytes: the cache's at `cached` if it is whole, else made and kept there.

    A copy is kept under a temporary name and renamed, so a build stopped while keeping
    one leaves none; a copy that is not whole all the same is made again. With `cached`
    None, nothing is read or kept.
    """
    if cached is not None:
        try:
            data = cached.read_bytes()
        except OSError:
            pass
        else:
            if is_whole(data, suffix):
                return data
    try:
        data = copy_bytes(source, width, suffix)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # A picture cut short or damaged after its header: its own error, not a traceback.
        message = f"cannot be read as a picture ({error}): save it again, or remove it"
        raise BuildFailed([SiteError(source, None, message)]) from None
    if cached is not None:
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, cached)
        except OSError:  # a read-only site folder: it only costs making it again next time
            with contextlib.suppress(OSError):
                temporary.unlink()
    return data


def is_whole(data: bytes, suffix: str) -> bool:
    """Whether `data` ends where a file of its format says it ends."""
    if suffix == ".jpg":
        return data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    if suffix == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    if suffix == ".webp":
        return (
            len(data) >= 12
            and data[:4] == b"RIFF"
            and data[8:12] == b"WEBP"
            and struct.unpack_from("<I", data, 4)[0] + 8 == len(data)
        )
    return False


def copy_bytes(source: Path, width: int, suffix: str) -> bytes:
    """The picture at `source`, upright, `width` pixels wide (never wider than it is), saved
    as `suffix` (".jpg", ".png", ".webp") with its colour profile and nothing else of its
    metadata. The same file always gives the same bytes.
    """
    with Image.open(source) as image:
        exif = _exif(image)
        turned = _orientation(exif) in _TURNED
        upright = image.size[::-1] if turned else image.size
        size = None
        if width < upright[0]:
            size = (width, max(1, round(upright[1] * width / upright[0])))
            # A JPEG is decoded at a fraction of its size where that is still twice the
            # copy's: much quicker, and the resampling that follows hides it.
            stored = size[::-1] if turned else size
            image.draft(None, (stored[0] * 2, stored[1] * 2))
        picture = ImageOps.exif_transpose(image)
        profile = image.info.get("icc_profile")
    picture, profile = _web_mode(picture, suffix, profile if isinstance(profile, bytes) else None)
    if size is not None:
        picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    picture.info = {}  # EXIF, XMP, comments, text chunks: none is published
    extra = {"icc_profile": profile} if profile else {}
    out = io.BytesIO()
    if suffix == ".jpg":
        picture.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True, **extra)
    elif suffix == ".png":
        picture.save(out, "PNG", optimize=True, **extra)
    elif suffix == ".webp":
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    else:
        raise ValueError(f"no copy is made as {suffix}")
    return out.getvalue()


def _web_mode(
    picture: Image.Image, suffix: str, profile: bytes | None
) -> tuple[Image.Image, bytes | None]:
    """The picture in a mode its format saves and resampling keeps: 8 bits a channel, RGB
    or grey, alpha where it has transparency and the format keeps it; and its profile."""
    if picture.mode == "CMYK":
        picture, profile = _cmyk_to_rgb(picture, profile), None
    elif picture.mode.startswith("I;16") or picture.mode in ("I", "F"):
        # 16-bit grey: scaled down, where a plain conversion would clip it.
        picture = picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif picture.mode == "1":
        picture = picture.convert("L")
    if picture.mode in ("P", "PA") or "transparency" in picture.info:
        alpha = picture.mode == "PA" or "transparency" in picture.info
        picture = picture.convert("RGBA" if alpha else "RGB")
    alpha = picture.mode in ("RGBA", "LA")
    if suffix == ".jpg" and alpha:
        # A JPEG has no transparency: what shows through is the page's white.
        flat = Image.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
        picture = flat
    elif suffix == ".webp" and picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if alpha else "RGB")
    elif picture.mode not in ("L", "LA", "RGB", "RGBA"):
        picture = picture.convert("RGB")
    return picture, profile


def _cmyk_to_rgb(picture: Image.Image, profile: bytes | None) -> Image.Image:
    """A CMYK picture in sRGB: through its colour profile where it has one."""
    if profile:
        from PIL import ImageCms

        try:
            converted = ImageCms.profileToProfile(
                picture,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            return converted
    return picture.convert("RGB")
