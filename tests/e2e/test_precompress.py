"""precompress = true: every text file above 1 KB has .gz and .br copies that decompress to
it, made the same way every time, kept in step with their file after an edit, and read by the
audit decompressed."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from tests.conftest import CONFIG, NOW, MakeSite, post, snapshot

from journeyblog.build import audit_output
from journeyblog.compress import MIN_SIZE
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

SECRET = "the payroll contract ends in march and nobody has told the unions yet"
TEXT = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".webmanifest")


def _site(make_site: MakeSite, *, precompress: bool = True) -> Path:
    files = {
        "journeyblog.toml": CONFIG + ("precompress = true\n" if precompress else ""),
        "content/posts/01-email.md": post(
            "Moving email",
            series="cloud",
            part=1,
            summary="How we moved our email.",
            body="We moved our email to the cloud over one long summer.\n" * 20,
        ),
        "content/posts/02-identity.md": post(
            "Identity", series="cloud", part=2, body="One login for every system.\n"
        ),
        "content/posts/03-payroll.md": post(
            "Payroll options", security="Internal", body=f"{SECRET}.\n"
        ),
    }
    return make_site(files)


def _check_copies(out: Path) -> int:
    """Every text file above MIN_SIZE has both copies, each decompressing to it; no other
    file has any. The number of files with copies."""
    files = snapshot(out)
    with_copies = 0
    for path, data in files.items():
        if path.endswith((".gz", ".br")):
            assert path[:-3] in files, f"{path} has no original"
            continue
        wanted = path.endswith(TEXT) and len(data) > MIN_SIZE
        assert (path + ".gz" in files) == wanted, path
        assert (path + ".br" in files) == wanted, path
        if wanted:
            assert gzip.decompress(files[path + ".gz"]) == data, path
            assert brotli.decompress(files[path + ".br"]) == data, path
            with_copies += 1
    return with_copies


def test_text_files_above_a_kilobyte_get_both_copies(make_site: MakeSite) -> None:
    site = _site(make_site)
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    assert _check_copies(out) > 10
    for path in ("index.html", "feed.xml", "assets/site.css", "posts/email/index.html"):
        assert (out / (path + ".gz")).is_file(), path
    assert not list(out.rglob("*.png.gz")) and not list(out.rglob("*.png.br"))


def test_without_the_option_there_are_no_copies(make_site: MakeSite) -> None:
    site = _site(make_site, precompress=False)
    build(BuildOptions(site_dir=site, now=NOW))
    assert not [p for p in (site / "output").rglob("*") if p.suffix in (".gz", ".br")]


def test_the_copies_are_the_same_bytes_on_every_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = _site(make_site)
    first = tmp_path / "first"
    second = tmp_path / "second"
    build(BuildOptions(site_dir=site, out_dir=first, now=NOW, cache=False))
    build(BuildOptions(site_dir=site, out_dir=second, now=NOW, jobs=2))
    assert snapshot(first) == snapshot(second)


def test_an_edit_makes_the_edited_files_copies_and_takes_over_the_rest(
    make_site: MakeSite,
) -> None:
    site = _site(make_site)
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    before = snapshot(out)
    source = site / "content/posts/01-email.md"
    source.write_text(source.read_text().replace("one long summer", "two long winters"))
    result = build(BuildOptions(site_dir=site, now=NOW))
    after = snapshot(out)
    _check_copies(out)
    page = "posts/email/index.html"
    assert b"two long winters" in gzip.decompress(after[page + ".gz"])
    assert after[page + ".br"] != before[page + ".br"]
    # A page that does not show the edited text keeps its copies, taken over, not made.
    other = "posts/identity/index.html"
    assert after[other + ".gz"] == before[other + ".gz"]
    assert other + ".gz" not in result.made and page + ".gz" in result.made


def test_turning_the_option_on_adds_copies_to_an_existing_output(make_site: MakeSite) -> None:
    site = _site(make_site, precompress=False)
    build(BuildOptions(site_dir=site, now=NOW))
    config = site / "journeyblog.toml"
    config.write_text(config.read_text() + "precompress = true\n")
    build(BuildOptions(site_dir=site, now=NOW))
    assert _check_copies(site / "output") > 10
    config.write_text(config.read_text().replace("precompress = true\n", ""))
    build(BuildOptions(site_dir=site, now=NOW))
    assert not [p for p in (site / "output").rglob("*") if p.suffix in (".gz", ".br")]


@pytest.mark.parametrize("suffix", [".gz", ".br"])
def test_a_withheld_text_planted_in_a_copy_is_found_by_the_audit(
    make_site: MakeSite, suffix: str
) -> None:
    site = _site(make_site)
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    target = out / ("posts/identity/index.html" + suffix)
    planted = (out / "posts/identity/index.html").read_bytes() + f"<p>{SECRET}</p>".encode()
    target.write_bytes(gzip.compress(planted) if suffix == ".gz" else brotli.compress(planted))
    findings = audit_output(out, site, now=NOW)
    assert any(f.startswith(f"posts/identity/index.html{suffix}: contains") for f in findings)
    # A build takes nothing over from a copy changed by hand: it is made again, clean.
    build(BuildOptions(site_dir=site, now=NOW))
    assert _check_copies(out) > 10
    assert audit_output(out, site, now=NOW) == []
