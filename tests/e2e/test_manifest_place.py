"""The publication manifest lives beside the output, and warnings follow the build's summary.

The manifest says what a build published and how many posts it withheld, for whoever runs
the build; the deployed folder must say nothing of the withheld, so the manifest is written
to OUTPUT.manifest.json (or --manifest PATH), never inside OUTPUT. `journeyblog audit` reads
the cutoff from it there. Warnings (missing images, links to missing pages, images without
alt text) are printed as `path:line: warning: ...` after the summary, at most 20 of them;
`build --strict` fails on any.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from tests.conftest import NOW, MakeSite, post

from journeyblog.cli import cli

NOW_ARGS = ["--now", NOW.isoformat()]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def withholding_site(make_site: MakeSite) -> Path:
    """Two public posts, and one post withheld for each reason: level, draft, future."""
    return make_site(
        {
            "content/posts/one.md": post("One", body="First public post.\n"),
            "content/posts/two.md": post("Two", date="2016-02-01", body="Second.\n"),
            "content/posts/staff.md": post("Staff quokka", security="Internal"),
            "content/posts/unready.md": post("Unready quokka", draft=True),
            "content/posts/later.md": post("Later quokka", date="2027-01-01"),
        }
    )


def read_manifest(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def counts_by_reason(document: dict[str, Any]) -> dict[str, int]:
    """The one mapping of the manifest that counts withheld posts by reason."""
    found = [
        value
        for value in document.values()
        if isinstance(value, dict) and {"level", "draft", "future"} <= set(value)
    ]
    assert len(found) == 1, document
    return dict(found[0])


def assert_output_says_nothing_of_the_withheld(out: Path) -> None:
    assert out.is_dir()
    assert not (out / "publication-manifest.json").exists()
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b'"excluded"' not in data, path
            assert b"quokka" not in data, path


def test_the_manifest_is_written_beside_the_output(make_site: MakeSite) -> None:
    site = withholding_site(make_site)
    result = run("build", str(site), *NOW_ARGS)
    assert result.exit_code == 0, result.output

    document = read_manifest(site / "output.manifest.json")

    assert {item["url"] for item in document["published"]} == {
        "https://blog.test.example/posts/one/",
        "https://blog.test.example/posts/two/",
    }
    for item in document["published"]:
        assert item["level"] == "public"
        assert item["id"]
    assert counts_by_reason(document) == {"level": 1, "draft": 1, "future": 1}
    assert document["audience"] == "public"
    assert document["cutoff"] == NOW.isoformat()
    assert b"quokka" not in (site / "output.manifest.json").read_bytes()
    assert_output_says_nothing_of_the_withheld(site / "output")


def test_with_o_the_manifest_is_beside_that_folder(make_site: MakeSite, tmp_path: Path) -> None:
    site = withholding_site(make_site)
    out = tmp_path / "deploy" / "public"
    out.parent.mkdir()
    result = run("build", str(site), "-o", str(out), *NOW_ARGS)
    assert result.exit_code == 0, result.output
    assert counts_by_reason(read_manifest(tmp_path / "deploy/public.manifest.json"))["level"] == 1
    assert not (site / "output.manifest.json").exists()
    assert_output_says_nothing_of_the_withheld(out)


def test_with_manifest_the_manifest_is_there(make_site: MakeSite, tmp_path: Path) -> None:
    site = withholding_site(make_site)
    records = tmp_path / "records"
    records.mkdir()
    result = run("build", str(site), "--manifest", str(records / "public.json"), *NOW_ARGS)
    assert result.exit_code == 0, result.output
    assert read_manifest(records / "public.json")["audience"] == "public"
    assert not (site / "output.manifest.json").exists()
    assert_output_says_nothing_of_the_withheld(site / "output")


def test_build_v_says_where_the_manifest_is(make_site: MakeSite) -> None:
    site = withholding_site(make_site)
    result = run("build", str(site), "-v", *NOW_ARGS)
    assert result.exit_code == 0, result.output
    assert str(site / "output.manifest.json") in result.output


def test_a_failed_build_leaves_the_manifest_alone(make_site: MakeSite) -> None:
    site = withholding_site(make_site)
    assert run("build", str(site), *NOW_ARGS).exit_code == 0
    before = (site / "output.manifest.json").read_bytes()
    (site / "content/posts/broken.md").write_text(post("Broken", author="nobody"), "utf-8")
    result = run("build", str(site), "--now", "2027-06-01T00:00:00+00:00")
    assert result.exit_code == 1, result.output
    assert (site / "output.manifest.json").read_bytes() == before


def test_audit_passes_on_a_clean_output(make_site: MakeSite) -> None:
    site = withholding_site(make_site)
    assert run("build", str(site), *NOW_ARGS).exit_code == 0
    result = run("audit", str(site / "output"), "--site", str(site))
    assert result.exit_code == 0, result.output


def test_audit_reads_the_cutoff_from_the_manifest_beside(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Built as of 2016-06-01, the post of 2016-07-01 is withheld, though long past today: an
    audit that did not find the cutoff in the manifest would judge by today, and miss the leak."""
    site = make_site(
        {
            "content/posts/early.md": post("Early", date="2016-05-01"),
            "content/posts/july.md": post("Midsummer quokka plans", date="2016-07-01"),
        }
    )
    out = tmp_path / "public"
    built = run("build", str(site), "-o", str(out), "--now", "2016-06-01T00:00:00+00:00")
    assert built.exit_code == 0, built.output
    assert run("audit", str(out), "--site", str(site)).exit_code == 0
    page = out / "posts/early/index.html"
    page.write_text(page.read_text(encoding="utf-8") + "Midsummer quokka plans", "utf-8")

    result = run("audit", str(out), "--site", str(site))

    assert result.exit_code == 1, result.output
    assert "posts/early/index.html: contains the title of" in result.output


# ---------------------------------------------------------------- warnings

WARNED = "content/posts/warned.md"
# Long enough for link previews, so that the images are the post's only warnings.
SUMMARY = "A summary of the right length for link previews, " * 3


def warned_site(make_site: MakeSite) -> tuple[Path, dict[int, str]]:
    """A post with three warnings; their lines -> what each is about."""
    body = (
        "A paragraph.\n\n![A missing photo](/images/nothere.png)\n\n"
        "See [the plan](/no-such-page/).\n\n![](/images/present.png)\n"
    )
    text = post("Warned", body=body)
    site = make_site({WARNED: text, "content/images/present.png": "not read"})
    lines = {
        _line(text, "![A missing"): "missing image",
        _line(text, "See [the plan]"): "missing page",
        _line(text, "![](/images/present"): "no alt text",
    }
    return site, lines


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_build_prints_warnings_after_the_summary(make_site: MakeSite) -> None:
    site, lines = warned_site(make_site)
    result = run("build", str(site), *NOW_ARGS)
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    summary = next(i for i, line in enumerate(printed) if line.startswith("Built "))
    for line, about in lines.items():
        prefix = f"{site / WARNED}:{line}: warning: "
        where = [i for i, shown in enumerate(printed) if shown.startswith(prefix)]
        assert where, (about, result.output)
        assert where[0] > summary, (about, result.output)


def test_build_shows_twenty_warnings_and_counts_the_rest(make_site: MakeSite) -> None:
    body = "".join(f"![Photo {n}](/images/missing-{n}.png)\n\n" for n in range(25))
    site = make_site({WARNED: post("Many", summary=SUMMARY, body=body)})
    result = run("build", str(site), *NOW_ARGS)
    assert result.exit_code == 0, result.output
    shown = [line for line in result.output.splitlines() if ": warning: " in line]
    assert len(shown) == 20, result.output
    assert re.search(r"\band 5 more\b", result.output), result.output


def test_build_strict_fails_on_the_same_warnings(make_site: MakeSite) -> None:
    site, lines = warned_site(make_site)
    result = run("build", str(site), "--strict", *NOW_ARGS)
    assert result.exit_code == 1, result.output
    for line in lines:
        assert f"{site / WARNED}:{line}: " in result.stderr, result.stderr
    assert re.search(r"^Build failed: \d+ errors?; nothing was written\.$", result.stderr, re.M)
    assert not (site / "output").exists()
    assert not (site / "output.manifest.json").exists()
