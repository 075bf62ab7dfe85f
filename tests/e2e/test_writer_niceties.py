"""Small things a writer notices: a draft previewed says so; `init` makes a place for pictures."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from tests.conftest import NOW, MakeSite, post

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions
from journeyblog.scaffold import init_site


def _banner(page: Path) -> str | None:
    found = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(
        ".draft-banner"
    )
    return found.get_text(" ", strip=True) if found else None


def test_a_draft_built_with_drafts_says_it_is_not_published(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(
        {
            "content/posts/draft.md": post("Next steps", draft=True),
            "content/posts/done.md": post("Done", date="2016-02-01"),
            "content/pages/plans.md": "---\ntitle: Plans\ndraft: true\n---\n\nSoon.\n",
        }
    )
    out = tmp_path / "preview"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW, drafts=True))
    assert (_banner(out / "posts/draft/index.html") or "").startswith("Draft, not published.")
    assert (_banner(out / "plans/index.html") or "").startswith("Draft, not published.")
    assert _banner(out / "posts/done/index.html") is None

    published = tmp_path / "published"
    build(BuildOptions(site_dir=site, out_dir=published, now=NOW))
    assert not (published / "posts/draft").exists()
    for page in published.rglob("*.html"):
        assert "Draft, not published" not in page.read_text(encoding="utf-8"), page


def test_init_makes_a_folder_for_pictures(tmp_path: Path) -> None:
    init_site(tmp_path / "blog", now=NOW)
    assert (tmp_path / "blog/content/images").is_dir()
