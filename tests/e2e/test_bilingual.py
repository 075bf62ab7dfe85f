"""A bilingual site: each language its own pages, feeds, search and sitemap entries; every
page linked to its twin (hreflang, reciprocal, and a switcher); series across languages;
parity checked; and nothing withheld leaks through a translation."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from tests.conftest import NOW, MakeSite, post, snapshot
from tests.e2e.test_languages import _english_fragments, _strings

from journeyblog.build import audit_output, check
from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.options import BuildOptions
from journeyblog.serve import locate

CONFIG = """\
title = "Cyngor Tref Aber"
base_url = "https://blog.test.example/"
languages = ["cy", "en-GB"]
posts_per_page = 2
"""
SERIES = """\
cwmwl:
  title:
    cy: Taith i'r Cwmwl
    en: Journey to the Cloud
  description:
    cy: Sut symudodd y cyngor i wasanaethau cwmwl.
    en: How the council moved to cloud services.
  planned: 5
"""
WELSH = [
    (
        "Dechrau'r daith",
        "Pam y gwnaethom benderfynu gadael y contract allanol ar ôl pymtheg mlynedd.",
    ),
    ("Y caffael", "Sut y prynon ni wasanaethau newydd heb golli golwg ar yr arian cyhoeddus."),
    ("Symud yr ebost", "Symud pum mil o gyfrifon ebost mewn tri phenwythnos hir a phrysur iawn."),
]
ENGLISH = [
    (
        "Starting the journey",
        "Why we decided to leave the outsourced contract after fifteen years.",
    ),
    ("The procurement", "How we bought new services without losing sight of the public money."),
]


def _files(**extra: str) -> dict[str, str]:
    """Three Welsh parts, the first two with English twins, and a fourth part in English
    only; an about page in both languages."""
    files = {
        "journeyblog.toml": CONFIG,
        "content/series.yml": SERIES,
        "content/pages/amdanom.md": (
            "---\ntitle: Amdanom ni\n---\n\nCyngor tref bach yn y gorllewin.\n"
        ),
        "content/pages/amdanom.en.md": (
            "---\ntitle: About us\nslug: about\n---\n\nA small town council in the west.\n"
        ),
    }
    for suffix, texts, tag, (heading, closing) in (
        ("", WELSH, "cwmwl", ("Cefndir", "Roedd y gwaith yn galed ond yn werth chweil.")),
        (".en", ENGLISH, "cloud", ("Background", "The work was hard but worth it for everyone.")),
    ):
        for number, (title, summary) in enumerate(texts, start=1):
            files[f"content/posts/{number:02d}-rhan-{number}{suffix}.md"] = post(
                title,
                date=f"2016-0{number + 6}-19",
                series="cwmwl",
                part=number,
                tags=[tag],
                summary=summary,
                body=f"## {heading}\n\n{summary}\n\n{closing}\n",
            )
    files["content/posts/04-only-english.en.md"] = post(
        "Moving the data centre",
        date="2016-10-19",
        series="cwmwl",
        part=4,
        summary="Part four, written in English first while the translators catch up with us.",
    )
    files.update(extra)
    return files


def _build(make_site: MakeSite, **extra: str) -> Path:
    site = make_site(_files(**extra))
    build(BuildOptions(site_dir=site, now=NOW))
    return site / "output"


def _soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def _hreflang(soup: BeautifulSoup) -> dict[str, str]:
    return {
        str(link["hreflang"]): str(link["href"])
        for link in soup.find_all("link", rel="alternate")
        if link.get("hreflang")
    }


def _page_of(out: Path, url: str) -> str:
    path = url.removeprefix("https://blog.test.example/")
    return path + "index.html" if path.endswith("/") or not path else path


def test_each_language_has_its_own_pages_feeds_and_search(make_site: MakeSite) -> None:
    out = _build(make_site)
    for language in ("cy", "en"):
        for path in ("index.html", "series/cwmwl/index.html", "search/index.html", "feed.xml"):
            assert (out / language / path).is_file(), f"{language}/{path}"
        assert (out / language / "authors/ann/index.html").is_file()
        tag = {"cy": "cy", "en": "en-GB"}[language]
        assert _soup(out, f"{language}/index.html").html["lang"] == tag  # type: ignore[index]
    assert (out / "cy/posts/rhan-3/index.html").is_file()
    assert not (out / "en/posts/rhan-3/index.html").exists()
    assert (out / "en/posts/only-english/index.html").is_file()
    assert (out / "cy/tags/cwmwl/index.html").is_file() and (
        out / "en/tags/cloud/index.html"
    ).is_file()
    # Shared files once, at the root; no language's files outside its folder.
    assert (out / "assets/site.css").is_file() and not (out / "cy/assets").exists()
    assert (out / "sitemap.xml").is_file() and not (out / "cy/sitemap.xml").exists()
    assert "Sitemap: https://blog.test.example/sitemap.xml" in (out / "robots.txt").read_text()
    welsh = json.loads((out / "cy/search/index.json").read_text())
    english = json.loads((out / "en/search/index.json").read_text())
    assert sorted(p["title"] for p in welsh["posts"]) == sorted(t for t, _ in WELSH)
    assert sorted(p["title"] for p in english["posts"]) == sorted(
        [*(t for t, _ in ENGLISH), "Moving the data centre"]
    )
    assert all(p["url"].startswith("/en/") for p in english["posts"])
    # The root offers both homes alike.
    root = _soup(out, "index.html")
    assert {a["href"] for a in root.find_all("a")} == {"/cy/", "/en/"}


def test_every_twin_links_to_the_other_reciprocally_with_a_switcher(make_site: MakeSite) -> None:
    out = _build(make_site)
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    checked = 0
    for page in pages:
        if not page.startswith(("cy/", "en/")) or page.endswith("404.html"):
            continue
        soup = _soup(out, page)
        versions = _hreflang(soup)
        folder = page.split("/", 1)[0]
        language, other = ("cy", "en-GB") if folder == "cy" else ("en-GB", "cy")
        switcher = soup.find("nav", class_="site-languages")
        assert switcher is not None, page
        link = switcher.find("a", hreflang=other)
        if not versions:
            home = "/en/" if other == "en-GB" else "/cy/"
            assert link["href"] == home, page  # no twin: the other language's home
            continue
        checked += 1
        own = f"https://blog.test.example/{page.removesuffix('index.html')}"
        assert versions[language] == own, page
        assert versions["x-default"] == versions["cy"], page  # the default language's
        twin = versions[other]
        assert link["href"] == twin.removeprefix("https://blog.test.example"), page
        back = _hreflang(_soup(out, _page_of(out, twin)))
        assert back == versions, f"{page} and {twin} do not name each other alike"
    assert checked >= 10
    # Posts and pages with twins name them; those without have none.
    assert _hreflang(_soup(out, "cy/posts/rhan-1/index.html"))["en-GB"].endswith(
        "/en/posts/rhan-1/"
    )
    assert _hreflang(_soup(out, "cy/amdanom/index.html"))["en-GB"].endswith("/en/about/")
    assert _hreflang(_soup(out, "cy/posts/rhan-3/index.html")) == {}
    assert _hreflang(_soup(out, "en/posts/only-english/index.html")) == {}


def test_the_sitemap_lists_every_language_with_its_alternates(make_site: MakeSite) -> None:
    out = _build(make_site)
    tree = ET.parse(out / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = {
        str(url.findtext("s:loc", namespaces=ns)): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in tree.getroot().findall("s:url", ns)
    }
    base = "https://blog.test.example/"
    assert f"{base}cy/posts/rhan-3/" in entries and f"{base}en/posts/only-english/" in entries
    assert entries[f"{base}cy/posts/rhan-1/"] == {
        "cy": f"{base}cy/posts/rhan-1/",
        "en-GB": f"{base}en/posts/rhan-1/",
        "x-default": f"{base}cy/posts/rhan-1/",
    }
    assert entries[f"{base}en/posts/rhan-1/"] == entries[f"{base}cy/posts/rhan-1/"]
    assert entries[f"{base}cy/posts/rhan-3/"] == {}
    for loc in entries:
        assert (out / _page_of(out, loc)).is_file(), loc


def test_welsh_pages_speak_welsh_and_english_pages_english(make_site: MakeSite) -> None:
    out = _build(make_site)
    english = _english_fragments()
    found = {}
    for page in sorted((out / "cy").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for other in soup.find_all(lang=lambda value: value not in (None, "cy")):
            other.decompose()  # another language's name or title, marked as such
        text = _text(soup)
        left = sorted(f for f in english if re.search(rf"\b{re.escape(f)}\b", text))
        if left:
            found[page.relative_to(out).as_posix()] = left
    assert found == {}
    welsh_post = _soup(out, "cy/posts/rhan-1/index.html").get_text(" ")
    assert "19 Gorffennaf 2016" in welsh_post and "Rhan 1 o 5" in welsh_post
    english_post = _soup(out, "en/posts/rhan-1/index.html").get_text(" ")
    assert "19 July 2016" in english_post and "Part 1 of 5" in english_post


def _text(soup: BeautifulSoup) -> str:
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    words = [soup.get_text(" ")]
    for element in soup.find_all(True):
        for name in ("aria-label", "title", "alt"):
            if element.get(name):
                words.append(str(element[name]))
        if element.get("data-messages"):
            words += _strings(json.loads(str(element["data-messages"])))
    return re.sub(r"%\(\w+\)s", " ", "\n".join(words))


def test_a_series_is_titled_per_language_and_lists_parts_of_the_other(
    make_site: MakeSite,
) -> None:
    out = _build(make_site)
    assert _soup(out, "cy/series/cwmwl/index.html").h1.get_text() == "Taith i'r Cwmwl"  # type: ignore[union-attr]
    assert _soup(out, "en/series/cwmwl/index.html").h1.get_text() == "Journey to the Cloud"  # type: ignore[union-attr]
    # Part 4 is in English only: a Welsh reader is told, and sent to it, never left a gap.
    block = _soup(out, "cy/posts/rhan-1/index.html").find("ol", class_="series-parts")
    entry = block.find("li", class_="part-translated")  # type: ignore[union-attr]
    assert entry is not None
    assert entry.a["href"] == "/en/posts/only-english/"
    assert "Rhan 4" in entry.get_text() and "ar gael yn Saesneg" in entry.get_text()
    # And part 3, in Welsh only, to an English reader; "Part 1 of 4" counts English parts.
    english = _soup(out, "en/posts/rhan-1/index.html")
    entry = english.find("li", class_="part-translated")
    assert entry.a["href"] == "/cy/posts/rhan-3/"  # type: ignore[union-attr]
    assert "available in Welsh" in entry.get_text()  # type: ignore[union-attr]
    landing = _soup(out, "cy/series/cwmwl/index.html").find("li", class_="part-translated")
    assert landing.a["href"] == "/en/posts/only-english/"  # type: ignore[union-attr]


def test_feeds_per_language_parse_and_speak_their_language(make_site: MakeSite) -> None:
    out = _build(make_site)
    for language, titles, said in (
        ("cy", [t for t, _ in WELSH], "Taith i'r Cwmwl, rhan 1: Dechrau'r daith"),
        (
            "en",
            [*(t for t, _ in ENGLISH), "Moving the data centre"],
            "Journey to the Cloud, part 1",
        ),
    ):
        items = json.loads((out / language / "feed.json").read_text())["items"]
        assert sorted(item["url"] for item in items) == sorted(
            entry.link for entry in feedparser.parse(out / language / "feed.xml").entries
        )
        for name in (
            "feed.xml",
            "rss.xml",
            "series/cwmwl/feed.xml",
            "tags/" + ("cwmwl" if language == "cy" else "cloud") + "/feed.xml",
        ):
            feed = feedparser.parse((out / language / name).read_bytes())
            assert not feed.bozo, f"{language}/{name}: {feed.get('bozo_exception')}"
            shown = [entry.title for entry in feed.entries]
            assert len(shown) == len(titles) or "tags/" in name, name
            assert all(any(t in title for t in titles) for title in shown), shown
            assert any(title.startswith(said) for title in shown), shown
            for entry in feed.entries:
                assert f"/{language}/posts/" in entry.link
        rss = (out / language / "rss.xml").read_text()
        assert f"<language>{'cy' if language == 'cy' else 'en-GB'}</language>" in rss


def test_a_profile_for_one_language_is_made_in_that_language_only(make_site: MakeSite) -> None:
    config = CONFIG + '[syndication.hub]\ntitle = "Hub"\nlanguage = "en"\n'
    config += '[syndication.both]\ntitle = "Both"\n'
    out = _build(make_site, **{"journeyblog.toml": config})
    assert (out / "en/syndication/hub.xml").is_file()
    assert not (out / "cy/syndication/hub.xml").exists()
    assert (out / "cy/syndication/both.xml").is_file() and (
        out / "en/syndication/both.xml"
    ).is_file()


def test_the_default_language_may_be_at_the_root(make_site: MakeSite) -> None:
    config = CONFIG + "default_language_at_root = true\n"
    out = _build(make_site, **{"journeyblog.toml": config})
    assert (out / "posts/rhan-1/index.html").is_file() and not (out / "cy").exists()
    assert (out / "en/posts/rhan-1/index.html").is_file()
    assert _soup(out, "index.html").html["lang"] == "cy"  # type: ignore[index]
    versions = _hreflang(_soup(out, "en/posts/rhan-1/index.html"))
    assert versions == {
        "cy": "https://blog.test.example/posts/rhan-1/",
        "en-GB": "https://blog.test.example/en/posts/rhan-1/",
        "x-default": "https://blog.test.example/posts/rhan-1/",
    }
    assert _hreflang(_soup(out, "posts/rhan-1/index.html")) == versions


def test_a_translation_key_pairs_files_whose_names_differ(make_site: MakeSite) -> None:
    renamed = _files()
    text = renamed.pop("content/posts/02-rhan-2.en.md")
    renamed["content/posts/02-procurement.en.md"] = text.replace(
        "part: 2", "part: 2\ntranslation: posts/02-rhan-2"
    )
    site = make_site(renamed)
    build(BuildOptions(site_dir=site, now=NOW))
    versions = _hreflang(_soup(site / "output", "cy/posts/rhan-2/index.html"))
    assert versions["en-GB"] == "https://blog.test.example/en/posts/procurement/"


def test_check_lists_every_post_and_page_without_its_twin(make_site: MakeSite) -> None:
    site = make_site(_files())
    warnings = [str(w) for w in check(site, now=NOW)]
    missing = [w for w in warnings if "twin" in w]
    assert len(missing) == 2, warnings
    assert any("03-rhan-3.md:1: warning: has no English (en-GB) twin" in w for w in missing)
    assert any("04-only-english.en.md:1: warning: has no Welsh (cy) twin" in w for w in missing)


def test_require_translations_refuses_a_missing_twin_and_writes_nothing(
    make_site: MakeSite,
) -> None:
    site = make_site(_files(**{"journeyblog.toml": CONFIG + "require_translations = true\n"}))
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = [str(error) for error in failed.value.errors]
    assert any("03-rhan-3.md:1: has no English (en-GB) twin" in line for line in said), said
    assert any("04-only-english.en.md:1: has no Welsh (cy) twin" in line for line in said)
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [("date", "2016-07-20"), ("series", None), ("part", "5"), ("author", "ben")],
)
def test_twins_that_differ_in_date_series_part_or_author_are_an_error(
    make_site: MakeSite, key: str, value: str | None
) -> None:
    files = _files()
    text = files["content/posts/01-rhan-1.en.md"]
    if value is None:
        text = re.sub(r"series: cwmwl\npart: 1\n", "", text)
    else:
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M)
    files["content/posts/01-rhan-1.en.md"] = text
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert re.search(rf"01-rhan-1\.en\.md:\d+: {key} is .* its twin .*01-rhan-1\.md", said), said


def test_twins_of_different_levels_stop_the_build_on_both_files(make_site: MakeSite) -> None:
    files = _files()
    files["content/posts/01-rhan-1.en.md"] = files["content/posts/01-rhan-1.en.md"].replace(
        "security: Public", "security: Internal"
    )
    site = make_site(files)
    for run in (
        lambda: build(BuildOptions(site_dir=site, now=NOW)),
        lambda: build(BuildOptions(site_dir=site, now=NOW, audience="internal")),
        lambda: check(site, now=NOW),
    ):
        with pytest.raises(BuildFailed) as failed:
            run()
        said = [str(error) for error in failed.value.errors]
        for name in ("01-rhan-1.md", "01-rhan-1.en.md"):
            assert any(name + ":5: twins must share one security level" in line for line in said), (
                said
            )
    assert not (site / "output").exists()


def test_internal_twins_are_withheld_together_in_both_languages(make_site: MakeSite) -> None:
    files = _files()
    secret_cy = (
        "Mae'r gyllideb gyfrinachol ar gyfer y ganolfan ddata newydd yn cael ei thrafod heddiw"
    )
    secret_en = (
        "The confidential budget for the new data centre is being discussed by the cabinet today"
    )
    files["content/posts/05-cyllideb.md"] = post(
        "Cyllideb gyfrinachol", date="2016-11-01", security="Internal", body=secret_cy + ".\n"
    )
    files["content/posts/05-cyllideb.en.md"] = post(
        "Confidential budget", date="2016-11-01", security="Internal", body=secret_en + ".\n"
    )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    everything = b"".join(snapshot(site / "output").values()).decode("utf-8", "replace")
    for canary in (secret_cy, secret_en, "Cyllideb gyfrinachol", "Confidential budget", "cyllideb"):
        assert canary not in everything
    assert audit_output(site / "output", site) == []
    build(BuildOptions(site_dir=site, now=NOW, audience="internal"))
    assert (site / "output/cy/posts/05-cyllideb/index.html").is_file()
    assert (site / "output/en/posts/05-cyllideb/index.html").is_file()


def test_a_draft_translation_keeps_its_text_back_and_its_twin_published(
    make_site: MakeSite,
) -> None:
    files = _files()
    draft = "This English draft says things the translators have not yet agreed on at all"
    files["content/posts/03-rhan-3.en.md"] = post(
        "The email move",
        date="2016-09-19",
        series="cwmwl",
        part=3,
        draft=True,
        summary="A draft translation of part three, still being checked by the team.",
        body=draft + ".\n",
    )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    everything = b"".join(snapshot(out).values()).decode("utf-8", "replace")
    assert draft not in everything and "The email move" not in everything
    assert (out / "cy/posts/rhan-3/index.html").is_file()
    assert _hreflang(_soup(out, "cy/posts/rhan-3/index.html")) == {}
    # A body bound to publish both: the Welsh part is refused while its twin is a draft.
    site.joinpath("journeyblog.toml").write_text(CONFIG + "require_translations = true\n")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    assert "publish both or neither" in "\n".join(str(e) for e in failed.value.errors)


def test_level_markers_work_in_both_languages(make_site: MakeSite) -> None:
    files = _files()
    for name, secret in (
        ("01-rhan-1.md", "Rhif ffôn mewnol y ganolfan ddata yw pump pump saith wyth naw"),
        ("01-rhan-1.en.md", "The internal telephone number of the data centre is five five seven"),
    ):
        files[f"content/posts/{name}"] += (
            f"\n<!-- level: internal -->\n{secret}.\n<!-- /level -->\n\nDiwedd. End.\n"
        )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    everything = b"".join(snapshot(site / "output").values()).decode("utf-8", "replace")
    assert "pump pump saith" not in everything and "five five seven" not in everything
    assert "Diwedd. End." in (site / "output/en/posts/rhan-1/index.html").read_text()


@pytest.mark.parametrize("where", ["body", "alt", "link title", "summary"])
def test_a_twin_that_copies_a_kept_back_block_without_its_markers_is_refused(
    make_site: MakeSite, where: str
) -> None:
    files = _files()
    secret = "The internal telephone number of the data centre is five five seven"
    files["content/posts/01-rhan-1.en.md"] += (
        f"\n<!-- level: internal -->\n{secret}.\n<!-- /level -->\n"
    )
    welsh = files["content/posts/01-rhan-1.md"]
    if where == "body":  # copied, its markers lost
        files["content/posts/01-rhan-1.md"] = welsh + f"\n{secret}.\n"
    elif where == "alt":
        files["content/posts/01-rhan-1.md"] = welsh + f"\n![{secret}](https://x.example/a.png)\n"
    elif where == "link title":
        files["content/posts/01-rhan-1.md"] = welsh + f'\n[Gwe](https://x.example/ "{secret}")\n'
    else:
        summary = f"summary: {secret}."
        files["content/posts/01-rhan-1.md"] = re.sub(r"(?m)^summary: .*$", summary, welsh)
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "01-rhan-1.md:" in said and "keeps back in a level block" in said
    assert not (site / "output").exists()


def test_a_file_in_a_language_the_site_lacks_is_an_error(make_site: MakeSite) -> None:
    site = make_site(_files(**{"content/posts/06-x.fr.md": post("Le voyage", date="2016-11-02")}))
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "06-x.fr.md:1: is in 'fr', which is not one of the site's languages" in said


def test_languages_must_be_known_and_not_beside_language(make_site: MakeSite) -> None:
    for config, wanted in (
        (CONFIG.replace('["cy", "en-GB"]', '["cy", "xx-nonsense"]'), "unknown language"),
        (CONFIG.replace('["cy", "en-GB"]', '["cy", "cy"]'), "names a language twice"),
        (CONFIG + 'language = "cy"\n', "not both"),
    ):
        site = make_site({"journeyblog.toml": config})
        with pytest.raises(BuildFailed) as failed:
            build(BuildOptions(site_dir=site, now=NOW))
        assert wanted in str(failed.value.errors[0]), config


def test_an_edit_rebuilds_what_shows_it_in_both_languages(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """Incremental builds equal a build from scratch: a Welsh-only part's new title shows
    on the English pages that list it as "available in Welsh"; a new twin adds the
    alternates to the page it translates."""
    site = make_site(_files())
    build(BuildOptions(site_dir=site, now=NOW))
    part = site / "content/posts/03-rhan-3.md"
    part.write_text(part.read_text().replace("Symud yr ebost", "Symud y post"))
    edited = build(BuildOptions(site_dir=site, now=NOW))
    assert "cy/posts/rhan-3/index.html" in edited.made
    assert "en/posts/rhan-1/index.html" in edited.made
    assert "Symud y post" in (site / "output/en/posts/rhan-1/index.html").read_text()
    assert "en/posts/only-english/index.html" in edited.made  # its series block lists it
    assert "en/about/index.html" not in edited.made
    (site / "content/posts/03-rhan-3.en.md").write_text(
        post(
            "The email move",
            date="2016-09-19",
            series="cwmwl",
            part=3,
            summary="Moving five thousand mailboxes over three long and busy weekends.",
        )
    )
    build(BuildOptions(site_dir=site, now=NOW))
    assert _hreflang(_soup(site / "output", "cy/posts/rhan-3/index.html"))["en-GB"]
    scratch = tmp_path / "scratch"
    build(BuildOptions(site_dir=site, out_dir=scratch, now=NOW, cache=False))
    assert snapshot(site / "output") == snapshot(scratch)


def test_a_large_site_searches_each_language_in_chunks(make_site: MakeSite) -> None:
    config = CONFIG + "search_chunks_above = 2\n"
    out = _build(make_site, **{"journeyblog.toml": config})
    for language in ("cy", "en"):
        index = json.loads((out / language / "search/index.json").read_text())
        assert index["version"] == 2
        chunks = sorted((out / language / "search/posts").glob("*.json"))
        shown = [entry["url"] for chunk in chunks for entry in json.loads(chunk.read_text())]
        assert shown and all(url.startswith(f"/{language}/posts/") for url in shown)
    page = _soup(out, "cy/search/index.html")
    assert "/cy/search/" in str(page.find("form"))


def test_the_dev_server_serves_every_language_from_the_root(make_site: MakeSite) -> None:
    site = make_site(_files())
    result = build(BuildOptions(site_dir=site, now=NOW))
    assert result.site.info.language == "cy" and result.posts == 6
    # `serve` maps requests from the root every language shares (serve.py).
    served_from = result.site.files_path
    for path in ("/", "/cy/posts/rhan-1/", "/en/posts/only-english/", "/assets/site.css"):
        target = locate(path, root=site / "output", base_path=served_from)
        assert target.file is not None and target.file.is_file(), path


def test_a_site_under_a_path_keeps_shared_files_at_its_root(make_site: MakeSite) -> None:
    config = CONFIG.replace("https://blog.test.example/", "https://www.test.example/blog/")
    site = make_site(
        _files(
            **{
                "journeyblog.toml": config,
                "content/images/map.png": "not read: a link to it is enough",
                "content/posts/01-rhan-1.en.md": _files()["content/posts/01-rhan-1.en.md"]
                + "\nSee [the map](/images/map.png).\n",
            }
        )
    )
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    soup = _soup(out, "en/posts/rhan-1/index.html")
    assert soup.find("link", rel="stylesheet")["href"] == "/blog/assets/site.css"  # type: ignore[index]
    assert soup.find("a", string="the map")["href"] == "/blog/images/map.png"  # type: ignore[index]
    assert (out / "images/map.png").is_file() and not (out / "en/images").exists()
    assert _hreflang(soup)["cy"] == "https://www.test.example/blog/cy/posts/rhan-1/"
    assert {a["href"] for a in _soup(out, "index.html").find_all("a")} == {"/blog/cy/", "/blog/en/"}


def test_a_translation_key_may_name_the_twins_id(make_site: MakeSite) -> None:
    files = _files()
    text = files.pop("content/posts/02-rhan-2.en.md")
    files["content/posts/02-rhan-2.md"] = files["content/posts/02-rhan-2.md"].replace(
        "part: 2", "part: 2\nid: tag:aber.example,2016:y-caffael"
    )
    files["content/posts/procurement.en.md"] = text.replace(
        "part: 2", "part: 2\ntranslation: tag:aber.example,2016:y-caffael"
    )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    versions = _hreflang(_soup(site / "output", "en/posts/procurement/index.html"))
    assert versions["cy"] == "https://blog.test.example/cy/posts/rhan-2/"
    files["content/posts/procurement.en.md"] = text.replace(
        "part: 2", "part: 2\ntranslation: tag:aber.example,2016:nothing"
    )
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    assert "translation 'tag:aber.example,2016:nothing' names no post or page of another" in str(
        failed.value.errors[0]
    )


PICTURE = (  # a 1-pixel PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDw"
    "ADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _with_picture(make_site: MakeSite, files: dict[str, str], *pictures: str) -> Path:
    site = make_site(files)
    for name in pictures:
        path = site / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(PICTURE))
    return site


def test_a_picture_only_a_withheld_block_of_one_language_shows_is_not_published(
    make_site: MakeSite,
) -> None:
    files = _files()
    files["content/posts/01-rhan-1.md"] += (
        "\n<!-- level: internal -->\n![Y rhwydwaith mewnol](/images/network.png)\n<!-- /level -->\n"
    )
    files["content/posts/05-mewnol.md"] = post(
        "Mewnol", date="2016-11-01", security="Internal", body="![Cynllun](/images/plan.png)\n"
    )
    site = _with_picture(make_site, files, "images/network.png", "images/plan.png")
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    assert not list(out.rglob("network*")) and not list(out.rglob("plan*"))
    build(BuildOptions(site_dir=site, now=NOW, audience="internal"))
    assert (out / "images/network.png").is_file() and (out / "images/plan.png").is_file()


def test_a_withheld_posts_folder_is_not_published_from_the_other_language(
    make_site: MakeSite,
) -> None:
    files = _files()
    files["content/posts/z/index.en.md"] = post("Secret", date="2016-11-01", security="Internal")
    files["content/posts/pub.en.md"] = post(
        "Public", date="2016-11-02", body="![Plan](z/secret.png)\n"
    )
    site = _with_picture(make_site, files, "posts/z/secret.png")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "pub.en.md:" in said and "which this build withholds" in said, said


def test_twins_in_one_folder_each_show_its_pictures(make_site: MakeSite) -> None:
    files = _files()
    files["content/posts/x/index.md"] = post(
        "Cynllun", date="2016-11-01", body="![Y cynllun](plan.png)\n"
    )
    files["content/posts/x/index.en.md"] = post(
        "Plan", date="2016-11-01", body="![The plan](plan.png)\n"
    )
    site = _with_picture(make_site, files, "posts/x/plan.png")
    result = build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    for page in ("cy/posts/x/index.html", "en/posts/x/index.html"):
        src = _soup(out, page).find("main").find("img")["src"]  # type: ignore[union-attr,index]
        assert (out / str(src).lstrip("/")).is_file(), (page, src)
    assert not [str(w) for w in result.warnings if "does not publish" in str(w)]


def test_links_between_languages_resolve_or_are_refused_as_within_one(
    make_site: MakeSite,
) -> None:
    files = _files()
    files["content/posts/04-only-english.en.md"] = (
        files["content/posts/04-only-english.en.md"].rstrip("\n")
        + " Read [the Welsh part three](03-rhan-3.md).\n"
    )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    link = _soup(site / "output", "en/posts/only-english/index.html").find(
        "a", string="the Welsh part three"
    )
    assert link["href"] == "/cy/posts/rhan-3/"  # type: ignore[index]
    files["content/posts/06-mewnol.md"] = post(
        "Mewnol", date="2016-11-01", security="Internal", slug="mewnol"
    )
    files["content/posts/07-link.en.md"] = post(
        "Link", date="2016-11-02", body="See [this](/cy/posts/mewnol/).\n"
    )
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "07-link.en.md:" in said and "which this build withholds (internal)" in said, said


@pytest.mark.parametrize(
    "link",
    [
        "/cy/posts/mewnol.html",  # a withheld post by its page's name
        "/cy/polisi.html",  # a withheld page by its name
        "/cy/polisi/",
        "/cy/tags/cyfrinach/",  # listings only withheld posts are on
        "/cy/authors/ben/",
    ],
)
def test_a_link_to_what_the_other_language_withholds_is_refused_however_written(
    make_site: MakeSite, link: str
) -> None:
    files = _files()
    files["content/posts/06-mewnol.md"] = post(
        "Mewnol",
        date="2016-11-01",
        security="Internal",
        slug="mewnol",
        author="ben",
        tags=["cyfrinach"],
    )
    files["content/pages/polisi.md"] = "---\ntitle: Polisi\nsecurity: internal\n---\n\nMewnol.\n"
    files["content/posts/07-link.en.md"] = post(
        "Link", date="2016-11-02", body=f"See [this]({link}).\n"
    )
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "07-link.en.md:" in said and "which this build withholds" in said, said


def test_the_same_part_in_two_languages_is_one_pair_whatever_the_names(
    make_site: MakeSite,
) -> None:
    files = _files()
    text = files.pop("content/posts/02-rhan-2.en.md")
    files["content/posts/procurement.en.md"] = text.replace(
        "security: Public", "security: Internal"
    )
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "procurement.en.md:5: twins must share one security level" in said, said
    assert "02-rhan-2.md:5: twins must share one security level" in said, said
    files["content/posts/procurement.en.md"] = text
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))
    versions = _hreflang(_soup(site / "output", "cy/posts/rhan-2/index.html"))
    assert versions["en-GB"].endswith("/en/posts/procurement/")


@pytest.mark.parametrize(
    ("written", "wanted"),
    [
        ('""', "translation must name the twin"),
        ("[a, b]", "translation must name the twin"),
        ("x.md", "could be any of"),
    ],
)
def test_a_translation_key_that_names_no_one_twin_is_an_error(
    make_site: MakeSite, written: str, wanted: str
) -> None:
    files = _files()
    files["content/posts/a/x.md"] = post("A", date="2016-11-01", security="Internal")
    files["content/posts/b/x.md"] = post("B", date="2016-11-01")
    files["content/posts/c.en.md"] = post("C", date="2016-11-01", translation=written)
    site = make_site(files)
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    said = "\n".join(str(error) for error in failed.value.errors)
    assert "c.en.md:" in said and wanted in said, said


def test_a_translation_naming_its_twin_by_the_shared_name_is_fine(make_site: MakeSite) -> None:
    files = _files()
    files["content/posts/01-rhan-1.en.md"] = files["content/posts/01-rhan-1.en.md"].replace(
        "part: 1", "part: 1\ntranslation: posts/01-rhan-1"
    )
    site = make_site(files)
    build(BuildOptions(site_dir=site, now=NOW))


def test_one_language_has_no_languages_list_nor_translations(make_site: MakeSite) -> None:
    for files, wanted in (
        ({"journeyblog.toml": CONFIG.replace('["cy", "en-GB"]', '["cy"]')}, "two or more"),
        (
            {"content/posts/x.md": post("X", translation="posts/y")},
            "translation pairs the twins of a bilingual site",
        ),
    ):
        site = make_site(files)
        with pytest.raises(BuildFailed) as failed:
            build(BuildOptions(site_dir=site, now=NOW))
        assert wanted in "\n".join(str(error) for error in failed.value.errors)
