"""The audit does not rest on the incremental build: a file taken over from the last output
is audited again unless its bytes and what is withheld are both unchanged since it passed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.conftest import NOW, MakeSite, post

from journeyblog.audit import Auditor, Finding
from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.model import Output
from journeyblog.options import BuildOptions

SECRET = (
    "The council will sign the Northgate contract on the ninth of May for four million"
    " pounds, and nobody outside the board knows yet."
)


def _site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
            "content/posts/cloud/02-deal.md": post(
                "The deal", security="internal", series="cloud", part=2, body=SECRET + "\n"
            ),
            "content/posts/other.md": post("Other", date="2016-02-01", body="Other words.\n"),
        }
    )


@pytest.mark.parametrize("keep_times", [False, True])
def test_a_fragment_planted_in_a_reused_page_stops_the_next_build(
    make_site: MakeSite, tmp_path: Path, keep_times: bool
) -> None:
    site = _site(make_site)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    page = out / "posts/start/index.html"
    before = page.stat()
    planted = page.read_bytes().replace(
        b"</main>", b"<p>sign the Northgate contract on the ninth of May</p></main>", 1
    )
    page.write_bytes(planted)
    if keep_times:  # the same size and mtime would not fool it either
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    # An edit elsewhere: the start page's own inputs are unchanged, so it is taken over.
    other = site / "content/posts/other.md"
    other.write_text(post("Other", date="2016-02-01", body="Other words, edited.\n"))

    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(site_dir=site, out_dir=out, now=NOW))

    [error] = failure.value.errors
    assert error.path == out / "posts/start/index.html"
    assert "02-deal.md" in error.message and "words" in error.message
    assert page.read_bytes() == planted  # the failed build touched nothing


def test_a_page_passed_once_is_read_again_only_once_what_is_withheld_changes(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(make_site)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1))
    scanned: list[str] = []
    findings_in = Auditor.findings_in

    def spy(self: Auditor, output: Output) -> list[Finding]:
        scanned.append(output.path)
        return findings_in(self, output)

    monkeypatch.setattr(Auditor, "findings_in", spy)
    (site / "content/posts/other.md").write_text(post("Other", date="2016-02-01", body="New.\n"))
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1))
    assert "posts/other/index.html" in scanned
    assert "posts/start/index.html" not in scanned  # taken over, passed by the same audit

    scanned.clear()
    deal = site / "content/posts/cloud/02-deal.md"
    deal.write_text(
        post("The deal", security="internal", series="cloud", part=2, body="New secret words.\n")
    )
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, jobs=1))
    assert "posts/start/index.html" in scanned  # what is withheld changed: read again


def test_a_page_only_touched_keeps_its_audit_and_is_taken_over(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = _site(make_site)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    page = out / "posts/start/index.html"
    page.touch()  # a new mtime, the same bytes: as a copy or a backup restore leaves it
    (site / "content/posts/other.md").write_text(post("Other", date="2016-02-01", body="New.\n"))
    result = build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert "posts/start/index.html" not in result.made


def test_a_record_that_drops_a_dependency_leaves_pages_stale_but_never_leaks(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The incremental build's record corrupted on purpose: every file it made before is
    taken as up to date, whatever changed. A post raised to internal stays on the pages
    that list it (stale), but the audit reads them and stops the build: nothing is written."""
    site = _site(make_site)
    out = tmp_path / "out"
    other = site / "content/posts/other.md"
    other.write_text(
        post("Other", date="2016-02-01", body=SECRET.replace("Northgate", "Southgate") + "\n"),
        encoding="utf-8",
    )
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert b"Southgate" in (out / "posts/other/index.html").read_bytes()

    import journeyblog.engine.incremental as engine

    def every_file_up_to_date(
        planned: list[object], stored: list[str], previous: dict[str, object]
    ) -> set[str]:
        return {job.path for job in planned if job.path in previous}  # type: ignore[attr-defined]

    monkeypatch.setattr(engine, "_reusable", every_file_up_to_date)
    # Stale: an edit the record ignores leaves the old pages in place (the output is wrong)...
    other.write_text(other.read_text(encoding="utf-8") + "\nA fresh paragraph.\n", encoding="utf-8")
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    assert b"A fresh paragraph." not in (out / "posts/other/index.html").read_bytes()
    # ...and a post raised to internal, whose text the reused pages still carry, stops the build.
    other.write_text(
        other.read_text(encoding="utf-8").replace("security: Public", "security: internal"),
        encoding="utf-8",
    )
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    found = [str(error) for error in failure.value.errors]
    assert any("index.html: contains the title of" in f and "other.md" in f for f in found)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert after == before
