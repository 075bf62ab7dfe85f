"""`journeyblog build` after each of a random sequence of an author's edits (bodies, titles,
levels raised and lowered, tags, drafts, dates, level blocks, posts added and deleted, the
author and series records, a page, a site template, the config) writes what a build from
scratch writes, byte for byte, while making only part of the site again."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tests.conftest import MakeSite, snapshot
from tests.edits import EVERY_EDIT, edited_site

from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions


@pytest.mark.parametrize(("seed", "jobs"), [(1, 1), (4, 1), (3, 2), (5, 2)])
def test_after_every_edit_the_incremental_build_writes_what_a_scratch_build_writes(
    make_site: MakeSite, tmp_path: Path, seed: int, jobs: int
) -> None:
    site = edited_site(make_site)
    out = tmp_path / "out"
    first = build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs))
    rng = random.Random(seed)
    made_again = 0
    for step in range(14):
        before = {path: path.read_bytes() for path in _sources(site)}
        edit = rng.choice(EVERY_EDIT)
        edit(site, rng)
        scratch = tmp_path / f"scratch-{step}"
        try:
            expected = build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
        except BuildFailed:
            # The edit made the site wrong (a duplicate slug, a link to a withheld post): the
            # incremental build refuses it too, and writes nothing.
            kept = snapshot(out)
            with pytest.raises(BuildFailed):
                build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs))
            assert snapshot(out) == kept
            for path in set(_sources(site)) - set(before):
                path.unlink()
            for path, data in before.items():  # the author puts it right
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            expected = build(BuildOptions(site_dir=site, out_dir=scratch, cache=False, jobs=1))
        result = build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs))
        assert snapshot(out) == snapshot(scratch), f"after {edit.__name__} (step {step})"
        assert result.files == expected.files
        made_again += result.rendered
    # Incremental: on average an edit made far fewer files than the site has.
    assert made_again < 14 * first.files // 2


def _sources(site: Path) -> list[Path]:
    """Every file the author writes: all but the build cache."""
    return [
        path
        for path in site.rglob("*")
        if path.is_file() and ".journeyblog-cache" not in path.relative_to(site).parts
    ]
