"""The no-leak promise: what a build does not publish leaves no byte in its output."""

from __future__ import annotations

import json
import string
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import AUTHORS, CONFIG, NOW, SERIES, MakeSite, post

from journeyblog.cli import cli
from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

LEVELS = ("public", "internal", "restricted")


def _all_output_text(out: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", errors="replace")
        for path in sorted(out.rglob("*"))
        if path.is_file()
    ) + "\n".join(str(p.relative_to(out)) for p in out.rglob("*"))


def _canary_site(make_site: MakeSite) -> Path:
    future = (NOW + timedelta(days=7)).date().isoformat()
    return make_site(
        {
            "content/posts/cloud/01-start.md": post(
                "Starting out", series="cloud", part=1, body="Public words zebracanaryone.\n"
            ),
            "content/posts/cloud/02-internal.md": post(
                "Internal plans quokkatitle",
                security="Internal",
                series="cloud",
                part=2,
                summary="Summary quokkasummary of the internal part.",
                body="The quokkabody sentence is for staff only and must never be public.\n\n"
                "![Plan](/images/internal-only.png)\n",
            ),
            "content/posts/cloud/03-restricted.md": post(
                "Restricted numbers wombattitle",
                security="restricted",
                series="cloud",
                part=3,
                body="The wombatbody figures are restricted to the board and nobody else.\n",
            ),
            "content/posts/draft.md": post(
                "Draft ibistitle", draft=True, body="A draft ibisbody paragraph nobody has read.\n"
            ),
            "content/posts/later.md": post(
                "Next week okapititle",
                date=future,
                body="An okapibody announcement that is scheduled for next week.\n",
            ),
            "content/posts/cloud/04-end.md": post(
                "Ending", series="cloud", part=4, body="Closing public words.\n"
            ),
            "content/images/internal-only.png": "not really a png",
        }
    )


def test_public_build_leaves_no_canary(make_site: MakeSite, tmp_path: Path) -> None:
    site = _canary_site(make_site)
    out = tmp_path / "public"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    text = _all_output_text(out)
    assert "zebracanaryone" in text
    for canary in ("quokka", "wombat", "ibis", "okapi", "internal-only.png", "/internal/"):
        assert canary not in text, canary
    page = (out / "posts/start/index.html").read_text(encoding="utf-8")
    assert "Part 1 of 5" in page  # planned: 5; the withheld parts 2 and 3 are skipped
    assert 'href="/posts/end/"' in page  # next links around the withheld parts
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    assert {item["url"] for item in manifest["published"]} == {
        "https://blog.test.example/posts/start/",
        "https://blog.test.example/posts/end/",
    }
    assert manifest["excluded"] == {"level": 2, "draft": 1, "future": 1}
    assert manifest["audience"] == "public"


def test_a_post_withdrawn_between_builds_leaves_nothing_beside_the_output(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The staging folder kept for the next build holds only what is published now."""
    site = _canary_site(make_site)
    out = tmp_path / "public"
    internal = BuildOptions(site_dir=site, out_dir=out, now=NOW, audience="internal")
    build(internal)
    build(internal)  # the first output is now the spare, shared with the second
    assert "quokkabody" in _all_output_text(out)

    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, audience="public"))

    beside = [p for p in tmp_path.iterdir() if p != site]
    assert sorted(p.name for p in beside) == [".public.staging", "public", "public.manifest.json"]
    for folder in beside:
        assert "quokka" not in _all_output_text(folder), folder


def test_internal_build_shows_internal_but_not_restricted(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = _canary_site(make_site)
    out = tmp_path / "internal"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, audience="Internal"))
    text = _all_output_text(out)
    assert "quokkabody" in text and "quokkatitle" in text
    assert (out / "images/internal-only.png").is_file()
    for canary in ("wombat", "ibis", "okapi"):
        assert canary not in text, canary


def test_drafts_and_future_are_opt_in(make_site: MakeSite, tmp_path: Path) -> None:
    site = _canary_site(make_site)
    out = tmp_path / "all"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, drafts=True, future=True))
    text = _all_output_text(out)
    assert "ibisbody" in text and "okapibody" in text
    assert "quokka" not in text


def test_placeholder_mode_shows_withheld_part_without_title(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = _canary_site(make_site)
    config = site / "journeyblog.toml"
    config.write_text(config.read_text() + 'excluded_parts = "placeholder"\n', encoding="utf-8")
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    page = (out / "posts/start/index.html").read_text(encoding="utf-8")
    assert "Part 2</span> — not published" in page
    assert "quokka" not in _all_output_text(out)


def test_level_blocks_are_stripped_below_their_level(make_site: MakeSite, tmp_path: Path) -> None:
    body = (
        "Everyone reads this.\n\n<!-- level: internal -->\nStaff only: the budget is "
        "sealcanary pounds for the whole programme of work.\n<!-- /level -->\n\nThe end.\n"
    )
    site = make_site({"content/posts/mixed.md": post("Mixed", body=body)})
    public, internal = tmp_path / "public", tmp_path / "internal"
    build(BuildOptions(site_dir=site, out_dir=public, now=NOW))
    build(BuildOptions(site_dir=site, out_dir=internal, now=NOW, audience="internal"))
    assert "sealcanary" not in _all_output_text(public)
    assert "Everyone reads this" in _all_output_text(public)
    internal_page = (internal / "posts/mixed/index.html").read_text(encoding="utf-8")
    assert "sealcanary" in internal_page
    assert "level: internal" not in internal_page  # the markers themselves are not shown
    assert "/level" not in internal_page


def test_unknown_level_in_block_fails_closed(make_site: MakeSite) -> None:
    body = "Text.\n\n<!-- level: secret -->\nHidden.\n<!-- /level -->\n"
    site = make_site({"content/posts/x.md": post("X", body=body)})
    result = CliRunner().invoke(cli, ["build", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1
    assert "x.md:10: unknown level 'secret'" in result.output


def test_audit_command_finds_a_planted_leak(make_site: MakeSite, tmp_path: Path) -> None:
    site = _canary_site(make_site)
    public, internal = tmp_path / "public", tmp_path / "internal"
    runner = CliRunner()
    now = ["--now", NOW.isoformat()]
    assert runner.invoke(cli, ["build", str(site), "-o", str(public), *now]).exit_code == 0
    clean = runner.invoke(cli, ["audit", str(public), "--site", str(site), *now])
    assert clean.exit_code == 0, clean.output
    runner.invoke(cli, ["build", str(site), "-o", str(internal), "--audience", "internal", *now])
    leaked = (internal / "posts/internal/index.html").read_bytes()
    (public / "posts/start/index.html").write_bytes(leaked)
    dirty = runner.invoke(cli, ["audit", str(public), "--site", str(site), *now])
    assert dirty.exit_code == 1
    assert "posts/start/index.html: contains the title of" in dirty.output
    assert "02-internal.md" in dirty.output


def test_audit_command_reads_a_mangled_manifest_without_a_traceback(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = _canary_site(make_site)
    public = tmp_path / "public"
    runner = CliRunner()
    now = ["--now", NOW.isoformat()]
    assert runner.invoke(cli, ["build", str(site), "-o", str(public), *now]).exit_code == 0
    public.with_name("public.manifest.json").write_text("[" * 200_000, encoding="utf-8")
    result = runner.invoke(cli, ["audit", str(public), "--site", str(site), *now])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output


def test_missing_or_unknown_security_is_an_error(make_site: MakeSite) -> None:
    missing = "---\ntitle: No level\ndate: 2016-01-01\nauthor: ann\n---\nText.\n"
    site = make_site(
        {
            "content/posts/a.md": missing,
            "content/posts/b.md": post("Unknown", security="secret"),
        }
    )
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    assert "a.md:1: missing 'security'" in result.output
    assert "b.md:5: unknown security level 'secret'" in result.output
    assert not (site / "output").exists()


# ---------------------------------------------------------------- property test

WORD = st.text(alphabet=string.ascii_lowercase, min_size=6, max_size=8)


@st.composite
def random_sites(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(min_value=1, max_value=7))
    posts = []
    for index in range(count):
        posts.append(
            {
                "index": index,
                "level": draw(st.sampled_from(LEVELS)),
                "draft": draw(st.booleans()),
                "days": draw(st.integers(min_value=-400, max_value=30)),
                "series": draw(st.booleans()),
                "tag": draw(WORD),
            }
        )
    return posts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts=random_sites(), audience=st.sampled_from(LEVELS))
def test_no_byte_of_an_excluded_post_reaches_the_output(
    posts: list[dict[str, object]], audience: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        (site / "content/posts").mkdir(parents=True)
        (site / "journeyblog.toml").write_text(CONFIG, encoding="utf-8")
        (site / "content/authors.yml").write_text(AUTHORS, encoding="utf-8")
        (site / "content/series.yml").write_text(SERIES, encoding="utf-8")
        expected_published = set()
        excluded = set()
        for item in posts:
            index = item["index"]
            token = f"canary{index}x{item['tag']}"
            date = (NOW + timedelta(days=int(str(item["days"])))).strftime("%Y-%m-%dT%H:%M:%S")
            extra: dict[str, object] = {
                "draft": bool(item["draft"]),
                "tags": [f"tag{token}"],
                "summary": f"Summary {token}.",
                "id": f"tag:test.example,2016:{token}id",
            }
            if item["series"]:
                extra.update(series="cloud", part=int(str(index)) + 1)
            (site / f"content/posts/{token}.md").write_text(
                post(
                    f"Title {token}",
                    date=date,
                    security=str(item["level"]).title(),
                    body=f"A body sentence about {token} that is long enough to be distinctive.\n",
                    **extra,
                ),
                encoding="utf-8",
            )
            published = (
                LEVELS.index(str(item["level"])) <= LEVELS.index(audience)
                and not item["draft"]
                and int(str(item["days"])) <= 0
            )
            (expected_published if published else excluded).add(token)
        out = Path(folder) / "out"
        build(BuildOptions(site_dir=site, out_dir=out, now=NOW, audience=audience))
        text = _all_output_text(out)
        for token in excluded:
            assert token not in text
        for token in expected_published:
            assert token in (out / f"posts/{token}/index.html").read_text(encoding="utf-8")
        manifest = json.loads(
            out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8")
        )
        assert {item["id"] for item in manifest["published"]} == {
            f"tag:test.example,2016:{token}id" for token in expected_published
        }
        assert sum(manifest["excluded"].values()) == len(excluded)


@pytest.mark.parametrize("level", ["Public", "PUBLIC", " public "])
def test_levels_match_case_insensitively(make_site: MakeSite, tmp_path: Path, level: str) -> None:
    site = make_site({"content/posts/a.md": post("Case", security=f'"{level}"')})
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "out", now=NOW))
    assert (tmp_path / "out/posts/a/index.html").is_file()
