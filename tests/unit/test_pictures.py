"""pictures.py: what a picture's header says, and the copies published of it."""

from __future__ import annotations

import io
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from tests.conftest import NOW, MakeSite, post
from tests.photos import RED, SERIAL, has_location_or_serial, phone_photo

from journeyblog import pictures
from journeyblog.cards import own_image
from journeyblog.checks import location_warnings
from journeyblog.config import load_config
from journeyblog.figures import Measured, copies_of, picture
from journeyblog.model import Site
from journeyblog.pictures import (
    cached_copy,
    copy_bytes,
    file_digests,
    is_whole,
    measure,
    measure_all,
    picture_jobs,
)
from journeyblog.site import Selection, assemble
from journeyblog.sources import discover


def _open(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def _assembled(site_dir: Path) -> tuple[Site, dict[str, Measured]]:
    config = load_config(site_dir)
    sources, errors = discover(site_dir)
    paths = [f"images/{p.as_posix()}" for p in sources.images]
    measured = measure_all(site_dir / "content", paths, max_pixels=config.max_image_pixels)
    site, site_errors = assemble(config, sources, selection=Selection(now=NOW), pictures=measured)
    assert not errors and not site_errors, [*errors, *site_errors]
    return site, measured


# ---------------------------------------------------------------- measuring


def test_a_phone_photo_is_measured_upright_and_said_to_hold_a_location(tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "phone.jpg", (1600, 1200))
    assert measure(photo) == Measured(format="JPEG", width=1200, height=1600, location=True)


def test_a_picture_without_gps_or_with_a_gps_block_but_no_position_holds_no_location(
    tmp_path: Path,
) -> None:
    Image.new("RGB", (300, 200), "navy").save(tmp_path / "plain.png")
    exif = Image.Exif()
    exif.get_ifd(pictures._GPS_IFD)[0] = b"\x02\x02\x00\x00"  # GPSVersionID: no fix
    Image.new("RGB", (300, 200), "navy").save(tmp_path / "nofix.jpg", exif=exif)
    assert measure(tmp_path / "plain.png") == Measured(
        format="PNG", width=300, height=200, location=False
    )
    nofix = measure(tmp_path / "nofix.jpg")
    assert nofix is not None and not nofix.location


def test_measure_all_leaves_out_what_is_no_picture_and_what_is_too_large(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    Image.new("RGB", (100, 50)).save(content / "images" / "small.gif")
    Image.new("RGB", (2000, 2000)).save(content / "images" / "huge.png")
    (content / "images" / "notes.txt").write_text("words")
    (content / "images" / "broken.jpg").write_bytes(b"not a jpeg at all")
    found = measure_all(
        content,
        ["images/small.gif", "images/huge.png", "images/notes.txt", "images/broken.jpg"],
        max_pixels=1_000_000,
    )
    assert found == {
        "images/small.gif": Measured(format="GIF", width=100, height=50, location=False)
    }


@pytest.mark.parametrize("name", ["spin.png", "spin.webp"])
def test_an_animated_picture_is_sized_but_never_copied(tmp_path: Path, name: str) -> None:
    frames = [Image.new("RGB", (1000, 500), colour) for colour in ("red", "blue")]
    frames[0].save(tmp_path / name, save_all=True, append_images=frames[1:], duration=100)
    measured = measure(tmp_path / name)
    assert measured is not None and measured.animated and measured.width == 1000
    assert copies_of(picture(f"/images/{name}", measured)) == [(f"/images/{name}", 1000)]


# ---------------------------------------------------------------- copies


@pytest.mark.parametrize("suffix", [".jpg", ".webp", ".png"])
def test_a_copy_is_upright_and_says_nothing_of_where_or_with_what_it_was_taken(
    tmp_path: Path, suffix: str
) -> None:
    photo = phone_photo(tmp_path / "phone.jpg", (1600, 1200))
    assert SERIAL.encode() in photo.read_bytes()  # the source does say it
    for width in (480, 1200):
        data = copy_bytes(photo, width, suffix)
        copy = _open(data)
        assert copy.format == {".jpg": "JPEG", ".webp": "WEBP", ".png": "PNG"}[suffix]
        assert copy.size == (width, width * 4 // 3)  # upright: taller than wide
        assert not has_location_or_serial(data)
        assert len(copy.getexif()) == 0
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment"} & set(copy.info)
        # The stored top-left corner is the upright top-right.
        right = copy.convert("RGB").getpixel((width - 3, 3))
        assert isinstance(right, tuple)
        assert all(abs(a - b) < 40 for a, b in zip(right, RED, strict=True)), right
    assert photo.read_bytes().count(SERIAL.encode()) == 1  # the original is untouched


def test_a_copy_is_never_wider_than_the_picture(tmp_path: Path) -> None:
    Image.new("RGB", (700, 350), "teal").save(tmp_path / "narrow.jpg")
    assert _open(copy_bytes(tmp_path / "narrow.jpg", 960, ".jpg")).size == (700, 350)
    assert _open(copy_bytes(tmp_path / "narrow.jpg", 480, ".webp")).size == (480, 240)


def _copy_in_a_new_process(args: tuple[Path, int, str]) -> bytes:
    return copy_bytes(*args)


def test_the_same_picture_gives_the_same_bytes_in_any_process(tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "phone.jpg", (1600, 1200))
    Image.new("RGBA", (900, 600), (10, 200, 30, 120)).save(tmp_path / "glass.png")
    made = [
        (photo, 480, ".jpg"),
        (photo, 960, ".webp"),
        (photo, 1200, ".jpg"),
        (tmp_path / "glass.png", 480, ".png"),
        (tmp_path / "glass.png", 900, ".webp"),
    ]
    here = [copy_bytes(*args) for args in made]
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        first = list(pool.map(_copy_in_a_new_process, made))
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        second = list(pool.map(_copy_in_a_new_process, reversed(made)))
    assert first == here == second[::-1]


def test_transparency_is_kept_where_the_format_keeps_it_and_white_where_not(
    tmp_path: Path,
) -> None:
    palette = Image.new("P", (600, 400), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.paste(1, (0, 0, 300, 400))
    palette.save(tmp_path / "half.png", transparency=0)
    png = _open(copy_bytes(tmp_path / "half.png", 480, ".png"))
    webp = _open(copy_bytes(tmp_path / "half.png", 480, ".webp"))
    for copy in (png, webp):
        assert copy.mode == "RGBA"
        clear, red = copy.getpixel((400, 200)), copy.getpixel((50, 200))
        assert isinstance(clear, tuple) and isinstance(red, tuple)
        assert clear[3] == 0 and red[3] == 255
        assert red[0] > 240 and red[1] < 16 and red[2] < 16  # WebP shifts colours a little
    Image.new("RGBA", (600, 400), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    jpeg = _open(copy_bytes(tmp_path / "clear.png", 480, ".jpg"))
    assert jpeg.mode == "RGB" and jpeg.getpixel((10, 10)) == (255, 255, 255)


def test_cmyk_and_sixteen_bit_grey_are_published_in_modes_browsers_show(tmp_path: Path) -> None:
    Image.new("CMYK", (800, 500), (0, 255, 255, 0)).save(tmp_path / "print.jpg")
    for suffix in (".jpg", ".webp"):
        copy = _open(copy_bytes(tmp_path / "print.jpg", 480, suffix))
        assert copy.mode == "RGB"
        red, green, blue = copy.getpixel((10, 10))  # type: ignore[misc]
        assert red > 200 and green < 60 and blue < 60
    grey = Image.linear_gradient("L").resize((512, 256)).convert("I").point(lambda v: v * 257)
    grey.convert("I;16").save(tmp_path / "deep.png")
    copy = _open(copy_bytes(tmp_path / "deep.png", 256, ".png"))
    assert copy.mode == "L" and copy.size == (256, 128)
    assert 100 < copy.getpixel((128, 64)) < 160  # type: ignore[operator]  # scaled, not clipped


def test_a_colour_profile_is_kept(tmp_path: Path) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (800, 500), "olive").save(tmp_path / "p.jpg", icc_profile=profile)
    for suffix in (".jpg", ".webp"):
        assert _open(copy_bytes(tmp_path / "p.jpg", 480, suffix)).info["icc_profile"] == profile


def test_a_copy_is_kept_once_and_read_back_and_a_damaged_one_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = phone_photo(tmp_path / "phone.jpg", (1600, 1200))
    cached = tmp_path / "cache" / "pictures" / "k.webp"
    data = cached_copy(photo, 480, ".webp", cached)
    assert cached.read_bytes() == data and is_whole(data, ".webp")
    assert [p.name for p in cached.parent.iterdir()] == ["k.webp"]  # no temporary left

    def refuse(*_: object) -> bytes:
        raise AssertionError("made again")

    monkeypatch.setattr(pictures, "copy_bytes", refuse)
    assert cached_copy(photo, 480, ".webp", cached) == data
    monkeypatch.undo()
    cached.write_bytes(data[: len(data) // 2])  # a build stopped while writing
    assert cached_copy(photo, 480, ".webp", cached) == data
    assert cached.read_bytes() == data


def test_without_a_cache_nothing_is_kept(tmp_path: Path) -> None:
    photo = phone_photo(tmp_path / "phone.jpg", (1600, 1200))
    before = set(tmp_path.rglob("*"))
    assert is_whole(cached_copy(photo, 480, ".jpg", None), ".jpg")
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp"])
def test_a_cut_file_is_not_whole(tmp_path: Path, suffix: str) -> None:
    Image.new("RGB", (300, 200), "navy").save(tmp_path / "p.png")
    data = copy_bytes(tmp_path / "p.png", 300, suffix)
    assert is_whole(data, suffix)
    assert not is_whole(data[: len(data) // 2], suffix)
    assert not is_whole(data[:-1], suffix)


def test_digests_are_read_again_only_for_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.write_bytes(b"first")
    b.write_bytes(b"second")
    folder = tmp_path / "cache"
    first = file_digests({"a": a, "b": b}, folder)
    read: list[Path] = []
    real = pictures._file_digest

    def counted(path: Path) -> str:
        read.append(path)
        return real(path)

    monkeypatch.setattr(pictures, "_file_digest", counted)
    assert file_digests({"a": a, "b": b}, folder) == first
    assert read == []
    b.write_bytes(b"changed")
    again = file_digests({"a": a, "b": b}, folder)
    assert read == [b] and again["a"] == first["a"] and again["b"] != first["b"]
    assert file_digests({"a": a}, None) == {"a": first["a"]}


# ---------------------------------------------------------------- jobs


def test_every_file_of_a_picture_is_a_job_keyed_by_its_bytes(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site_dir = make_site(
        {
            "journeyblog.toml": 'title = "T"\nbase_url = "https://example.org/blog/"\n',
            "content/posts/a.md": post("A", body="![A map](/blog/images/my map.jpg)\n"),
        }
    )
    images = site_dir / "content" / "images"
    images.mkdir()
    phone_photo(images / "my map.jpg", (3200, 2400))  # upright 2400 x 3200
    Image.new("RGB", (60, 40)).save(images / "icon.gif")
    site, measured = _assembled(site_dir)

    jobs = picture_jobs(site, site_dir, site_dir / ".journeyblog-cache", measured=measured)

    shown = next(p for f, p in site.pictures if f == "images/my map.jpg")
    widths = dict(copies_of(shown))
    assert sorted(job.path for job in jobs) == sorted(
        [
            *(f"images/my map.{w}w.jpg" for w in (480, 960, 1200, 1600)),
            *(f"images/my map.jpg.{w}w.webp" for w in (480, 960, 1200, 1600, 2400)),
            "images/my map.jpg",
        ]
    )
    assert len({job.key for job in jobs}) == len(jobs)
    assert not any(job.site_wide for job in jobs)
    by_path = {job.path: job for job in jobs}
    for job in jobs:
        data = job.make()
        expected = widths["/blog/" + job.path.replace(" ", "%20")]
        assert _open(data).size[0] == expected <= 2400
        assert not has_location_or_serial(data)
    assert by_path["images/my map.jpg"].make()[:2] == b"\xff\xd8"
    # Unchanged bytes, unchanged keys; changed bytes, every key changes.
    again = picture_jobs(site, site_dir, None, measured=measured)
    assert [job.key for job in again] == [job.key for job in jobs]
    phone_photo(images / "my map.jpg", (3200, 2401))
    changed = picture_jobs(site, site_dir, None, measured=measured)
    assert not {job.key for job in changed} & {job.key for job in jobs}


# ---------------------------------------------------------------- previews and warnings


def test_a_wide_lead_picture_is_previewed_by_its_1200_copy(make_site: MakeSite) -> None:
    site_dir = make_site(
        {
            "content/posts/wide.md": post("Wide", image="/images/wide.jpg"),
            "content/posts/small.md": post("Small", image="/images/small.png"),
        }
    )
    images = site_dir / "content" / "images"
    images.mkdir()
    Image.new("RGB", (4000, 2000), "navy").save(images / "wide.jpg")
    Image.new("RGB", (1000, 600), "navy").save(images / "small.png")
    site, _ = _assembled(site_dir)
    wide = own_image(site, site_dir, next(p for p in site.posts if p.slug == "wide"))
    small = own_image(site, site_dir, next(p for p in site.posts if p.slug == "small"))
    assert wide is not None and small is not None
    assert (wide.url, wide.width, wide.height) == (
        "https://blog.test.example/images/wide.1200w.jpg",
        1200,
        600,
    )
    assert (small.url, small.width, small.height) == (
        "https://blog.test.example/images/small.png",
        1000,
        600,
    )


def test_check_names_each_source_picture_that_holds_a_location(make_site: MakeSite) -> None:
    site_dir = make_site({"content/posts/a.md": post("A")})
    sources, _ = discover(site_dir)
    measured = {
        "images/phone.jpg": Measured(format="JPEG", width=3, height=4, location=True),
        "images/plain.jpg": Measured(format="JPEG", width=3, height=4, location=False),
        "posts/trip/beach.jpg": Measured(format="JPEG", width=3, height=4, location=True),
    }
    assert [str(w) for w in location_warnings(sources, measured)] == [
        f"{site_dir / 'content' / name}: warning: holds a GPS location (it is removed from the"
        " published copies; remove it from the original if it should not be kept)"
        for name in ("images/phone.jpg", "posts/trip/beach.jpg")
    ]


def test_no_cache_folder_is_made_for_a_site_without_pictures(make_site: MakeSite) -> None:
    site_dir = make_site({"content/posts/a.md": post("A")})
    site, measured = _assembled(site_dir)
    assert picture_jobs(site, site_dir, site_dir / ".journeyblog-cache", measured=measured) == []
    assert not (site_dir / ".journeyblog-cache").exists()


def test_pictures_of_one_name_in_two_formats_share_no_copy() -> None:
    big = Measured(format="JPEG", width=3000, height=2000, location=False)
    files = [
        {url for url, _ in copies_of(picture(f"/images/a{suffix}", replace(big, format=kind)))}
        for suffix, kind in (
            (".jpg", "JPEG"),
            (".jpeg", "JPEG"),
            (".png", "PNG"),
            (".webp", "WEBP"),
        )
    ]
    for index, one in enumerate(files):
        for other in files[index + 1 :]:
            assert not one & other


def test_a_picture_measured_once_is_not_opened_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    phone_photo(content / "images" / "a.jpg", (400, 300))
    memo = tmp_path / "memo.json"
    first = measure_all(content, ["images/a.jpg"], max_pixels=10**8, memo=memo)
    opened: list[Path] = []
    real = pictures.measure
    monkeypatch.setattr(pictures, "measure", lambda path: opened.append(path) or real(path))
    assert measure_all(content, ["images/a.jpg"], max_pixels=10**8, memo=memo) == first
    assert opened == []
    phone_photo(content / "images" / "a.jpg", (640, 480))
    again = measure_all(content, ["images/a.jpg"], max_pixels=10**8, memo=memo)
    assert opened == [content / "images" / "a.jpg"]
    assert (again["images/a.jpg"].width, again["images/a.jpg"].height) == (480, 640)


def _gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 25.0, 10.0), 3: "W", 4: (4.0, 5.0, 6.0)}
    return exif


def test_an_animated_png_with_its_exif_after_the_pixels_is_said_to_hold_a_location(
    tmp_path: Path,
) -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:], exif=_gps())
    data, chunks, at = buffer.getvalue(), [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append((data[at + 4 : at + 8], data[at : at + 12 + length]))
        at += 12 + length
    exif = [chunk for kind, chunk in chunks if kind == b"eXIf"]
    rest = [chunk for kind, chunk in chunks if kind != b"eXIf"]
    late = tmp_path / "late.png"  # the EXIF moved behind the frames, before IEND
    late.write_bytes(data[:8] + b"".join(rest[:-1]) + b"".join(exif) + rest[-1])

    measured = pictures.measure(late)

    assert measured is not None and measured.animated and measured.location


def test_a_damaged_picture_with_an_exif_chunk_cannot_be_published(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, format="WEBP", exif=_gps())
    damaged_webp = tmp_path / "photo.webp"
    damaged_webp.write_bytes(
        buffer.getvalue()[:12] + b"VP8X" + b"\xff" * 6 + buffer.getvalue()[22:]
    )
    assert pictures.measure(damaged_webp) is None  # Pillow cannot read it

    [error] = pictures.unpublishable(tmp_path, ["photo.webp"], {}, max_pixels=10**8)

    assert "may say where it was taken" in error.message
