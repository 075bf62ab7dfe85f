"""Pictures for the web, through `journeyblog build` and `check`.

A site with phone photos that say where they were taken (one shown on a post, one beside a
post in its own folder, one no page shows), a panorama, a wide lead picture, a titled
picture and a GIF builds into pages whose every picture is sized, lazy but for the first,
and offered in resized copies and WebP; no published file says where a photo was taken or
with which camera, and `check` names each source picture that does.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner, Result
from PIL import Image
from tests.conftest import AUTHORS, CONFIG, NOW, SERIES, post, snapshot
from tests.photos import SERIAL, has_location_or_serial, phone_photo

from journeyblog import pictures
from journeyblog.cli import cli

LOCATED = ("images/phone.jpg", "images/unshown.jpg", "posts/trip/beach.jpg")
GPS_WARNING = (
    "warning: holds a GPS location (it is removed from the published copies; remove it "
    "from the original if it should not be kept)"
)


def _site(root: Path) -> Path:
    site = root / "site"
    files = {
        "journeyblog.toml": CONFIG,
        "content/authors.yml": AUTHORS,
        "content/series.yml": SERIES,
        "content/posts/photos.md": post(
            "Photos from the depot",
            image="/images/phone.jpg",
            body="""\
                What we saw.

                ![The depot, from the phone](/images/phone.jpg)

                ![The whole bay](/images/pano.jpg "The bay at dusk")

                ![A spinning logo](/images/logo.gif)
                """,
        ),
        "content/posts/wide.md": post(
            "A wide lead picture",
            date="2016-02-01",
            image="/images/wide.jpg",
            body="![The harbour](/images/wide.jpg)\n",
        ),
        "content/posts/trip/index.md": post(
            "The trip", date="2016-03-01", body="![On the beach](beach.jpg)\n"
        ),
    }
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    images = site / "content" / "images"
    phone_photo(images / "phone.jpg", (2000, 1500))
    phone_photo(images / "unshown.jpg", (800, 600))
    phone_photo(site / "content/posts/trip/beach.jpg", (1200, 900))
    Image.linear_gradient("L").resize((6000, 800)).convert("RGB").save(images / "pano.jpg")
    Image.linear_gradient("L").resize((4000, 2500)).convert("RGB").save(images / "wide.jpg")
    Image.new("P", (120, 80), 2).save(images / "logo.gif")
    return site


def _build(site: Path, out: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["build", str(site), "-o", str(out), "--now", NOW.isoformat(), *args]
    )


def _page(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def _width(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """Built once for the module: the tests only read it, or build it elsewhere."""
    root = tmp_path_factory.mktemp("pictures")
    site = _site(root)
    out = root / "out"
    result = _build(site, out)
    assert result.exit_code == 0, result.output
    return site, out, result


def test_every_picture_is_sized_lazy_but_the_first_and_offered_in_copies(
    built: tuple[Path, Path, Result],
) -> None:
    _, out, _ = built
    files = snapshot(out)
    pages = [path for path in files if path.endswith(".html")]
    shown = 0
    for path in pages:
        images = _page(out, path).find_all("img")
        for number, img in enumerate(images):
            assert isinstance(img, Tag)
            shown += 1
            assert img.get("width") and img.get("height"), f"{path}: {img}"
            lazy = (img.get("loading"), img.get("decoding"))
            assert lazy == ((None, None) if number == 0 else ("lazy", "async")), f"{path}: {img}"
    assert shown >= 5
    photos = _page(out, "posts/photos/index.html")
    phone, pano, logo = photos.find_all("img")
    assert (phone["width"], phone["height"]) == ("1500", "2000")  # upright
    assert (pano["width"], pano["height"]) == ("2400", "320")
    assert (logo["width"], logo["height"]) == ("120", "80") and not logo.get("srcset")
    for img in (phone, pano):
        picture = img.parent
        assert isinstance(picture, Tag) and picture.name == "picture"
        source = picture.find("source")
        assert isinstance(source, Tag) and source["type"] == "image/webp"
        for srcset in (str(img["srcset"]), str(source["srcset"])):
            candidates = [c.split() for c in srcset.split(", ")]
            widths = [int(w.removesuffix("w")) for _, w in candidates]
            assert widths == sorted(widths) and max(widths) <= int(str(img["width"]))
            for url, width in candidates:
                assert _width(files[url.removeprefix("/")]) == int(width.removesuffix("w"))
    assert [c.split()[0] for c in str(phone["srcset"]).split(", ")] == [
        "/images/phone.480w.jpg",
        "/images/phone.960w.jpg",
        "/images/phone.1200w.jpg",
        "/images/phone.jpg",
    ]
    figure = pano.find_parent("figure")
    assert isinstance(figure, Tag)
    caption = figure.find("figcaption")
    assert caption is not None and caption.get_text() == "The bay at dusk"
    assert _width(files["images/pano.jpg"]) == 2400  # the full picture, no wider than that
    beach = _page(out, "posts/trip/index.html").find("img")
    assert isinstance(beach, Tag) and beach["src"] == "/posts/trip/beach.jpg"
    assert "/posts/trip/beach.jpg.480w.webp 480w" in str(beach.find_previous("source"))


def test_no_published_file_says_where_a_photo_was_taken_or_with_what(
    built: tuple[Path, Path, Result],
) -> None:
    site, out, _ = built
    files = snapshot(out)
    published = [path for path in files if path.endswith((".jpg", ".png", ".webp"))]
    assert {"images/phone.jpg", "images/unshown.jpg", "posts/trip/beach.jpg"} <= set(published)
    for path in published:
        assert not has_location_or_serial(files[path]), path
    for data in files.values():
        assert SERIAL.encode() not in data
    for name in LOCATED:  # the originals are as they were
        assert has_location_or_serial((site / "content" / name).read_bytes())


def test_build_and_check_name_each_source_picture_that_holds_a_location(
    built: tuple[Path, Path, Result],
) -> None:
    site, _, result = built
    expected = [f"{site / 'content' / name}: {GPS_WARNING}" for name in LOCATED]
    assert [line for line in result.stderr.splitlines() if "GPS" in line] == expected
    checked = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])
    assert checked.exit_code == 0, checked.output
    assert [line for line in checked.stderr.splitlines() if "GPS" in line] == expected


def test_a_wide_lead_picture_is_shared_as_its_1200_copy(built: tuple[Path, Path, Result]) -> None:
    _, out, _ = built
    page = _page(out, "posts/wide/index.html")

    def meta(name: str) -> str:
        found = page.find("meta", property=name)
        assert isinstance(found, Tag), name
        return str(found["content"])

    assert meta("og:image") == "https://blog.test.example/images/wide.1200w.jpg"
    assert (meta("og:image:width"), meta("og:image:height")) == ("1200", "750")
    assert _width((out / "images/wide.1200w.jpg").read_bytes()) == 1200
    # The phone photo (1500 wide upright) is shared by its copy too, never the full picture.
    assert re.search(r"images/phone\.1200w\.jpg", _page(out, "posts/photos/index.html").decode())


def test_a_build_into_a_new_folder_takes_every_copy_from_the_cache(
    built: tuple[Path, Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out, _ = built
    cache = site / ".journeyblog-cache" / "pictures"
    kept = {path: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len([path for path in kept if path.suffix == ".webp"]) >= 10

    def refuse(*_: object) -> bytes:
        raise AssertionError("a copy was made again")

    monkeypatch.setattr(pictures, "copy_bytes", refuse)  # workers are forked: they see it too
    again = tmp_path / "again"
    result = _build(site, again)
    assert result.exit_code == 0, result.output
    assert {path: path.stat().st_mtime_ns for path in cache.iterdir()} == kept
    assert snapshot(again) == snapshot(out)


def test_without_the_cache_the_copies_are_the_same_bytes(
    built: tuple[Path, Path, Result], tmp_path: Path
) -> None:
    site, out, _ = built
    fresh = tmp_path / "fresh"
    result = _build(site, fresh, "--no-cache", "-j", "2")
    assert result.exit_code == 0, result.output
    pictures_of = {
        path: data
        for path, data in snapshot(out).items()
        if path.endswith((".jpg", ".png", ".webp", ".gif"))
    }
    assert {path: snapshot(fresh)[path] for path in pictures_of} == pictures_of


# ---------------------------------------------------------------- pictures that cannot go out


def _small_site(root: Path, body: str) -> Path:
    site = root / "small"
    files = {
        "journeyblog.toml": CONFIG,
        "content/authors.yml": AUTHORS,
        "content/series.yml": SERIES,
        "content/posts/trip/index.md": post("The trip", body=f"First.\n\n{body}\n"),
    }
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    return site


def _located_webp(path: Path, *, frames: int) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    shots = [Image.new("RGB", (64, 48), (40 * n, 90, 90)) for n in range(frames)]
    path.parent.mkdir(parents=True, exist_ok=True)
    shots[0].save(path, "WEBP", exif=exif, save_all=frames > 1, append_images=shots[1:])


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_phone_photo_too_large_to_read_beside_a_post_is_an_error(
    tmp_path: Path, command: str
) -> None:
    site = _small_site(tmp_path, "![The view](view.jpg)")
    (site / "journeyblog.toml").write_text(CONFIG + "max_image_pixels = 1000000\n")
    phone_photo(site / "content/posts/trip/view.jpg", (1600, 1200))
    result = CliRunner().invoke(cli, [command, str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1, result.output
    assert "trip/view.jpg: picture too large to read safely" in result.output
    assert not (site / "output").exists()


def test_a_picture_damaged_after_its_header_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    site = _small_site(tmp_path, "![The view](view.jpg)")
    whole = phone_photo(tmp_path / "whole.jpg", (1600, 1200)).read_bytes()
    (site / "content/posts/trip/view.jpg").write_bytes(whole[: len(whole) // 3])
    result = _build(site, site / "output")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(
        r"trip/view\.jpg: cannot be read as a picture \(.+\): save it again", result.output
    )
    assert not (site / "output").exists()


def test_an_animated_picture_that_says_where_it_was_made_is_an_error(tmp_path: Path) -> None:
    site = _small_site(tmp_path, "![Spinning](spin.webp)")
    _located_webp(site / "content/posts/trip/spin.webp", frames=3)
    result = _build(site, site / "output")
    assert result.exit_code == 1, result.output
    assert "trip/spin.webp: holds a GPS location, and an animated picture is published" in (
        result.output
    )
    assert not (site / "output").exists()


def test_a_picture_no_one_can_read_that_holds_exif_is_an_error(tmp_path: Path) -> None:
    site = _small_site(tmp_path, "![From the phone](shot.heic)")
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64 + b"Exif\x00\x00MM\x00*" + b"\x00" * 64
    (site / "content/posts/trip/shot.heic").write_bytes(heic)
    result = _build(site, site / "output")
    assert result.exit_code == 1, result.output
    assert "trip/shot.heic: cannot be read as a picture, and may say where it was taken" in (
        result.output
    )


def test_a_jfif_from_a_browser_goes_out_without_its_location(tmp_path: Path) -> None:
    site = _small_site(tmp_path, "![Saved](saved.jfif)")
    phone_photo(site / "content/posts/trip/saved.jfif", (1600, 1200))
    result = _build(site, site / "output")
    assert result.exit_code == 0, result.output
    published = [p for p in (site / "output/posts/trip").iterdir() if p.suffix != ".html"]
    assert published
    assert not any(has_location_or_serial(p.read_bytes()) for p in published)


def test_check_names_every_damaged_picture_the_build_would_copy(tmp_path: Path) -> None:
    site = _small_site(tmp_path, "![The view](view.jpg) ![The plan](plan.png)")
    whole = phone_photo(tmp_path / "whole.jpg", (1600, 1200)).read_bytes()
    (site / "content/posts/trip/view.jpg").write_bytes(whole[: len(whole) // 3])
    plan = io.BytesIO()
    Image.effect_noise((400, 300), 64).save(plan, "PNG")
    (site / "content/posts/trip/plan.png").write_bytes(plan.getvalue()[:-2000])
    result = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1, result.output
    for name in ("trip/view.jpg", "trip/plan.png"):
        assert f"{name}: cannot be read as a picture" in result.output
