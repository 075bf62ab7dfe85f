"""A series' own page describes it as one work: the reading time of all its published parts,
"Complete in N parts" when it is, and JSON-LD (a CreativeWorkSeries with its parts) that names
no part the audience may not see."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import NOW, MakeSite, post

from journeyblog.engine.incremental import build
from journeyblog.options import BuildOptions

SERIES_YML = """\
cloud:
  title: Journey to the Cloud
  description: A council's move.
  planned: 3
  status: complete
"""


def _words(count: int) -> str:
    return " ".join(["word"] * count) + "\n"


def _site(make_site: MakeSite, *, second_level: str = "Public") -> Path:
    return make_site(
        {
            "content/series.yml": SERIES_YML,
            "content/posts/cloud/01-start.md": post(
                "Start", series="cloud", part=1, body=_words(400)
            ),
            "content/posts/cloud/02-quokka.md": post(
                "Quokka middle",
                date="2016-01-08",
                series="cloud",
                part=2,
                security=second_level,
                body=_words(1000),
            ),
            "content/posts/cloud/03-end.md": post(
                "End", date="2016-01-15", series="cloud", part=3, body=_words(600)
            ),
        }
    )


def _page(site: Path) -> tuple[str, dict[str, object]]:
    out = site / "output"
    build(BuildOptions(site_dir=site, out_dir=out, now=NOW))
    html = (out / "series/cloud/index.html").read_text(encoding="utf-8")
    [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return html, json.loads(ld)


def test_a_complete_series_says_so_with_its_reading_time_and_parts(make_site: MakeSite) -> None:
    html, ld = _page(_site(make_site))
    assert "Complete in 3 parts · 10 min read in all" in html  # 2 + 5 + 3 minutes
    assert ld["@type"] == "CreativeWorkSeries" and ld["name"] == "Journey to the Cloud"
    parts = ld["hasPart"]
    assert isinstance(parts, list)
    assert [(p["position"], p["headline"]) for p in parts] == [
        (1, "Start"),
        (2, "Quokka middle"),
        (3, "End"),
    ]
    assert parts[0]["url"] == "https://blog.test.example/posts/start/"


def test_a_withheld_part_is_neither_counted_nor_named(make_site: MakeSite) -> None:
    html, ld = _page(_site(make_site, second_level="internal"))
    assert "2 parts published of 3 · 5 min read in all" in html
    assert "Complete in" not in html
    parts = ld["hasPart"]
    assert isinstance(parts, list)
    assert [p["position"] for p in parts] == [1, 3]
    assert "quokka" not in json.dumps(ld).lower()
