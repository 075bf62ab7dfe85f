"""Pictures as cameras and phones write them, made with Pillow for the tests of pictures.py."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
BODY_SERIAL_NUMBER = 0xA431
SERIAL = "SN-4471-PHONE-0099"
RED = (220, 20, 20)


def phone_photo(path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    """A JPEG as a phone held upright saves it: stored on its side (orientation 6, turn it
    90° clockwise), with where it was taken and the camera's serial number. The stored
    picture's top-left corner is red: upright, that is the top-right."""
    width, height = size
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    picture.paste(RED, (0, 0, width // 8, height // 8))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL_NUMBER] = SERIAL
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, quality=92, exif=exif)
    return path


def noisy_photo(path: Path, size: tuple[int, int], *, quality: int = 95) -> Path:
    """A JPEG with the grain of a photograph at high ISO: as large on disk as one."""
    base = Image.linear_gradient("L").resize(size)
    bands = [Image.blend(base, Image.effect_noise(size, 64), 0.6) for _ in range(3)]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.merge("RGB", bands).save(path, quality=quality)
    return path


def has_location_or_serial(data: bytes) -> bool:
    """Whether a published file says where it was taken, or which camera took it."""
    import io

    with Image.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        gps = exif.get_ifd(GPS_IFD)
        serial = exif.get_ifd(EXIF_IFD).get(BODY_SERIAL_NUMBER)
    return bool(gps) or serial is not None or SERIAL.encode() in data
