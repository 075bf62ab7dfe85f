"""What the command line refuses so that nothing is lost, nothing outside the site is read,
and nothing breaks with a traceback: a manifest that would overwrite a file, an output folder
that is no folder of its own, an alias that would turn a page into a folder, a picture that
says where it was taken, YAML that expands without end, a config leading outside the site."""

from __future__ import annotations

import io
import os
from pathlib import Path

from click.testing import CliRunner, Result
from PIL import Image
from tests.conftest import CONFIG, NOW, MakeSite, post

from journeyblog.cli import cli


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli, [*arguments])


def build(site: Path, *extra: str) -> Result:
    return run("build", str(site), "--now", NOW.isoformat(), *extra)


def one_line_refusal(result: Result, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


HELLO = {"content/posts/hello.md": post("Hello", body="Public words.\n")}


def test_a_manifest_is_never_written_over_the_config_or_a_source(make_site: MakeSite) -> None:
    site = make_site(HELLO)
    config = (site / "journeyblog.toml").read_bytes()
    for target in (site / "journeyblog.toml", site / "content/posts/hello.md"):
        before = target.read_bytes()
        result = build(site, "--manifest", str(target))
        one_line_refusal(result, 2)
        assert "--manifest" in result.stderr
        assert target.read_bytes() == before
    assert (site / "journeyblog.toml").read_bytes() == config


def test_a_manifest_named_does_not_make_a_folder_ours(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(HELLO)
    assert build(site).exit_code == 0
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.txt").write_text("Years of work.\n")
    result = build(site, "-o", str(documents), "--manifest", str(site / "output.manifest.json"))
    one_line_refusal(result)
    assert "did not write" in result.stderr
    assert (documents / "thesis.txt").read_text() == "Years of work.\n"


def test_an_output_folder_without_a_name_is_refused(make_site: MakeSite) -> None:
    site = make_site(HELLO)
    for output in (".", "/", "./"):
        result = build(site, "-o", output)
        one_line_refusal(result)
        assert "a folder of its own" in result.stderr


def test_an_output_folder_that_is_a_link_is_refused_and_kept(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(HELLO)
    served = tmp_path / "www"
    served.mkdir()
    (site / "public").symlink_to(served)
    result = build(site, "-o", str(site / "public"))
    one_line_refusal(result)
    assert "symbolic link" in result.stderr
    assert (site / "public").is_symlink() and list(served.iterdir()) == []


def test_an_alias_that_would_make_a_page_or_feed_a_folder_is_refused(make_site: MakeSite) -> None:
    for alias in ("/posts/other/index.html/", "/sitemap.xml/", "/feed.xml/x/"):
        site = make_site(
            {
                **HELLO,
                "content/posts/other.md": post("Other", date="2016-01-02"),
                "content/posts/hello.md": post("Hello", aliases=[alias], body="Words.\n"),
            }
        )
        result = build(site)
        one_line_refusal(result)
        assert "two outputs would be written here" in result.stderr, alias
        assert not (site / "output").exists()


def _animated_gif(comment: bytes) -> bytes:
    frames = [Image.new("P", (8, 8), color) for color in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=comment)
    return buffer.getvalue()


def test_an_animated_picture_whose_xmp_says_where_is_refused(make_site: MakeSite) -> None:
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="51,30.0N"/></x:xmpmeta>'
    site = make_site({"content/posts/hello.md": post("Hello", body="![Map](/images/a.gif)\n")})
    (site / "content/images").mkdir(parents=True)
    (site / "content/images/a.gif").write_bytes(_animated_gif(xmp))
    result = build(site)
    one_line_refusal(result)
    assert "a.gif: holds a GPS location" in result.stderr
    (site / "content/images/a.gif").write_bytes(_animated_gif(b"Made in the office."))
    assert build(site).exit_code == 0


def test_front_matter_that_expands_without_end_is_refused(make_site: MakeSite) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for number in range(1, 10):
        previous = "a" if number == 1 else f"b{number - 1}"
        levels.append(f"b{number}: &b{number} [{', '.join(['*' + previous] * 9)}]")
    text = post("Bomb", extra="\n" + "\n".join("  " + line for line in levels))
    site = make_site({**HELLO, "content/posts/bomb.md": text})
    result = build(site)
    one_line_refusal(result)
    assert "bomb.md:" in result.stderr and "expands to more" in result.stderr


def test_a_config_that_leads_outside_the_site_is_not_read(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(HELLO)
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text(CONFIG.replace("Test Council Notes", "From Elsewhere"))
    (site / "journeyblog.toml").unlink()
    (site / "journeyblog.toml").symlink_to(elsewhere)
    result = build(site)
    one_line_refusal(result)
    assert "a link to a file outside the site" in result.stderr


def test_a_catalog_that_leads_outside_the_site_is_not_read(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(HELLO)
    elsewhere = tmp_path / "en.po"
    elsewhere.write_text('msgid "Share this page"\nmsgstr "From elsewhere"\n')
    (site / "locales").mkdir()
    (site / "locales/en.po").symlink_to(elsewhere)
    result = build(site)
    one_line_refusal(result)
    assert "en.po: a link to a file outside the site" in result.stderr


def test_a_theme_that_is_not_there_and_a_base_url_with_a_query_are_errors(
    make_site: MakeSite,
) -> None:
    for setting, said in (
        ('theme = "corprate"', "the site has no folder themes/corprate/"),
        ('base_url = "https://example.org/blog/?utm=x"', "without ?query or #fragment"),
    ):
        config = CONFIG.replace('base_url = "https://blog.test.example/"\n', "")
        if not setting.startswith("base_url"):
            config = CONFIG
        site = make_site({**HELLO, "journeyblog.toml": config + setting + "\n"})
        result = build(site)
        one_line_refusal(result)
        assert said in result.stderr


def test_a_file_system_failure_is_one_line(make_site: MakeSite) -> None:
    site = make_site(HELLO)
    (site / "journeyblog.toml").unlink()
    (site / "journeyblog.toml").mkdir()
    result = build(site)
    one_line_refusal(result)
    assert result.stderr.strip().count("\n") == 0
    assert "journeyblog.toml:" in result.stderr


def test_new_with_a_site_folder_that_is_not_there_is_a_usage_error(make_site: MakeSite) -> None:
    site = make_site(HELLO)
    before = sorted(os.listdir(site / "content/posts"))
    result = run("new", str(site / "missing"), "Moving email")
    one_line_refusal(result, 2)
    assert "is not a folder" in result.output
    assert sorted(os.listdir(site / "content/posts")) == before


def test_a_picture_linked_with_percent_20_for_its_space_is_no_warning(make_site: MakeSite) -> None:
    site = make_site({"content/posts/hello.md": post("Hello", body="![M](/images/a%20b.png)\n")})
    (site / "content/images").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(site / "content/images/a b.png")
    result = build(site)
    assert result.exit_code == 0, result.output
    assert "which this site does not publish" not in result.output
    assert (site / "output/images/a b.png").is_file()
