"""The interface in the site's language: every string a theme prints comes from a catalog,
dates and numbers are written for the language, a site may override a message, and `check`
names what a language lacks."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from tests.conftest import NOW, MakeSite, post

from journeyblog.build import check
from journeyblog.config import default_theme_dir
from journeyblog.engine.incremental import build
from journeyblog.errors import BuildFailed
from journeyblog.i18n import interface_messages, load_language
from journeyblog.options import BuildOptions
from journeyblog.render import make_environment

THEME = default_theme_dir()
LANGUAGES = ("en", "cy", "fr", "de")

SERIES = """\
cwmwl:
  title: Taith i'r Cwmwl
  planned: 4
"""


def _site(make_site: MakeSite, language: str, **extra: str) -> Path:
    """A small site written in Welsh words, so any English on its pages is the theme's."""
    files = {
        "journeyblog.toml": (
            f'title = "Nodiadau Digidol"\nbase_url = "https://blog.test.example/"\n'
            f'language = "{language}"\nposts_per_page = 2\n'
            '[syndication.hwb]\ntitle = "Hwb"\ncontent = "summary"\n'
        ),
        "content/series.yml": SERIES,
        "content/pages/amdanom.md": "---\ntitle: Amdanom ni\n---\n\nCyngor Tref Aber.\n",
        **extra,
    }
    for number, (day, tags) in enumerate(
        [("2016-07-19", ["cwmwl"]), ("2016-08-02", ["cwmwl", "ebost"]), ("2016-09-13", ["data"])],
        start=1,
    ):
        files[f"content/posts/{number:02d}-rhan-{number}.md"] = post(
            f"Taith i'r Cwmwl {number}",
            date=day,
            series="cwmwl",
            part=number,
            tags=tags,
            summary=f"Rhan {number} o'n taith i'r cwmwl, a beth ddysgon ni ar y ffordd yno.",
            body="## Dechrau\n\nGwnaethom symud.\n\n## Canol\n\nGwnaethom ddysgu.\n\n"
            "## Diwedd\n\nRoedd yn dda.\n",
        )
    return make_site(files)


def _text_of(html: str) -> str:
    """What a reader meets: the text, and the words of labels, titles and alternatives."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    words = [soup.get_text(" ")]
    for element in soup.find_all(True):
        for name in ("aria-label", "title", "alt", "placeholder"):
            if element.get(name):
                words.append(str(element[name]))
        if element.name == "meta" and element.get("name") == "description":
            words.append(str(element.get("content", "")))
        if element.get("data-messages"):  # what a script will say
            words += _strings(json.loads(str(element["data-messages"])))
    return re.sub(r"%\(\w+\)s", " ", "\n".join(words))  # the scripts' placeholders


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return [str(value)]


def _english_fragments() -> set[str]:
    """The English words of every interface message, without its placeholders, leaving out
    what the Welsh says too (names such as LinkedIn or JavaScript)."""
    english = _catalog("en")
    welsh = _catalog("cy")
    fragments = set()
    for message in english:
        if not message.id:
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        said = welsh[message.id].string
        welsh_text = " ".join(said) if isinstance(said, tuple) else said
        for text in texts:
            for piece in re.split(r"%\(\w+\)s|[·:,.;“”()]", text or ""):
                piece = piece.strip()
                if len(piece) >= 4 and piece not in welsh_text and not piece.startswith("--"):
                    fragments.add(piece)
    return fragments


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (THEME / "locales" / f"{language}.po").open("rb") as file:
        return read_po(file)


def test_a_welsh_site_has_no_english_from_the_theme_on_any_page(make_site: MakeSite) -> None:
    site = _site(make_site, "cy")
    build(BuildOptions(site_dir=site, now=NOW))
    english = _english_fragments()
    assert {"Share this page", "Skip to content", "Latest posts", "Part"} <= english
    found = {}
    pages = sorted((site / "output").rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        text = _text_of(page.read_text(encoding="utf-8"))
        left = sorted(f for f in english if re.search(rf"\b{re.escape(f)}\b", text))
        if left:
            found[page.relative_to(site / "output").as_posix()] = left
    assert found == {}


def test_welsh_pages_say_their_dates_and_counts_in_welsh(make_site: MakeSite) -> None:
    site = _site(make_site, "cy")
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    first = (out / "posts/rhan-1/index.html").read_text(encoding="utf-8")
    assert "19 Gorffennaf 2016" in first
    assert "Rhan 1 o 4 yn" in first
    assert 'lang="cy"' in first
    archive = (out / "archive/index.html").read_text(encoding="utf-8")
    assert "2 Awst 2016" in archive and "13 Medi 2016" in archive
    tag = (out / "tags/cwmwl/index.html").read_text(encoding="utf-8")
    assert "2 gofnod" in tag  # two, with the soft mutation


@pytest.mark.parametrize(
    ("count", "said"),
    [(0, "0 cofnod"), (1, "1 cofnod"), (2, "2 gofnod"), (3, "3 chofnod"), (4, "4 cofnod"),
     (6, "6 chofnod"), (11, "11 cofnod")],
)  # fmt: skip
def test_welsh_has_its_six_plural_forms(count: int, said: str) -> None:
    welsh = load_language("cy", [THEME])
    assert welsh.ngettext("%(num)s post", "%(num)s posts", count) % {"num": count} == said


def test_dates_are_written_for_each_language() -> None:
    day = datetime(2016, 7, 19)
    said = {
        tag: load_language(tag, [THEME]).format_date(day) for tag in ("en-GB", "cy", "fr", "de")
    }
    assert said == {
        "en-GB": "19 July 2016",
        "cy": "19 Gorffennaf 2016",
        "fr": "19 juillet 2016",
        "de": "19. Juli 2016",
    }


def test_feeds_speak_the_site_language_and_parse(make_site: MakeSite) -> None:
    site = _site(make_site, "cy")
    build(BuildOptions(site_dir=site, now=NOW))
    out = site / "output"
    series = feedparser.parse((out / "series/cwmwl/feed.xml").read_bytes())
    assert not series.bozo
    assert series.feed.subtitle == "Pob rhan o Taith i'r Cwmwl"
    assert series.feed.language == "cy"
    assert "Lefel diogelwch: Cyhoeddus" in series.entries[0].content[0].value
    hub = feedparser.parse((out / "syndication/hwb.xml").read_bytes())
    assert not hub.bozo
    assert "Darllen rhagor" in hub.entries[0].content[0].value


@pytest.mark.parametrize("language", ["cy", "fr", "de", "en-GB"])
def test_the_catalogs_shipped_translate_every_message_of_the_theme(
    make_site: MakeSite, language: str
) -> None:
    site = _site(make_site, language)
    warnings = check(site, now=NOW)
    assert [str(w) for w in warnings if "translation" in str(w)] == []


def test_every_message_of_the_theme_is_in_every_catalog() -> None:
    """The catalogs stay in step with the templates and the code: no message without an
    entry, and no entry left empty (a message with no translation shows English)."""
    wanted = {msgid for _, _, msgid in interface_messages([THEME / "templates"])}
    for language in LANGUAGES:
        catalog = _catalog(language)
        entries = {_key(message): message for message in catalog if message.id}
        assert wanted <= entries.keys(), language
        empty = [key for key, message in entries.items() if not any(
            message.string if isinstance(message.string, tuple) else (message.string,)
        )]  # fmt: skip
        assert empty == [], language


def _key(message: Message) -> str:
    """A message as gettext keys it: its singular, after its context if it has one."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def test_check_names_a_theme_message_the_language_lacks(make_site: MakeSite) -> None:
    extra = {
        "themes/default/templates/404.html": (
            '{% extends "base.html" %}\n{% block main %}\n'
            '<h1>{{ _("Lost in the clouds") }}</h1>\n{% endblock %}\n'
        )
    }
    site = _site(make_site, "cy", **extra)
    warnings = [str(w) for w in check(site, now=NOW) if "translation" in str(w)]
    assert warnings == [
        f"{site / 'themes/default/templates/404.html'}:3: no Welsh translation of "
        "'Lost in the clouds' (add it to locales/cy.po)"
    ]
    # The site's own catalog supplies it, and overrides the theme's wording too.
    (site / "locales").mkdir()
    (site / "locales/cy.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Lost in the clouds"\nmsgstr "Ar goll yn y cymylau"\n\n'
        'msgid "Share this page"\nmsgstr "Rhannwch y dudalen"\n',
        encoding="utf-8",
    )
    assert [str(w) for w in check(site, now=NOW) if "translation" in str(w)] == []
    build(BuildOptions(site_dir=site, now=NOW))
    assert "Ar goll yn y cymylau" in (site / "output/404.html").read_text(encoding="utf-8")
    page = (site / "output/posts/rhan-1/index.html").read_text(encoding="utf-8")
    assert "Rhannwch y dudalen" in page and "Rhannu\N{RIGHT SINGLE QUOTATION MARK}r" not in page


def test_a_catalog_that_cannot_be_read_stops_the_build_where_it_is_wrong(
    make_site: MakeSite,
) -> None:
    broken = 'msgid "Share this page"\nmsgtr "Rhannu"\n'
    site = _site(make_site, "cy", **{"locales/cy.po": broken})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    (error,) = failed.value.errors
    assert (error.path, error.line) == (site / "locales/cy.po", 2)
    assert error.message == "cannot read this catalog: Unknown or misformatted keyword (fix it)"
    assert not (site / "output").exists()


def test_an_unknown_language_is_a_config_error(make_site: MakeSite) -> None:
    site = _site(make_site, "xx-YY")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site_dir=site, now=NOW))
    assert "unknown language 'xx-YY'" in str(failed.value.errors[0])


def test_a_welsh_series_book_speaks_welsh(make_site: MakeSite) -> None:
    site = _site(make_site, "cy")
    build(BuildOptions(site_dir=site, now=NOW))
    with zipfile.ZipFile(site / "output/series/cwmwl/cwmwl.epub") as book:
        text = "\n".join(
            book.read(name).decode("utf-8")
            for name in book.namelist()
            if name.endswith((".xhtml", ".opf"))
        )
    # The title page counts the parts: "3 rhan" (rhan, feminine, keeps its form after 3).
    for said in ("Rhan 1 o 4", "Lefel diogelwch: Cyhoeddus", "19 Gorffennaf 2016", "3 rhan"):
        assert said in text
    for english in ("Part 1 of", "Security level", "Published at", ">Contents<"):
        assert english not in text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en-GB", "12,345"),
        ("cy", "12,345"),
        ("de", "12.345"),
        ("fr", "12\N{NARROW NO-BREAK SPACE}345"),
    ],
)
def test_counts_are_written_for_each_language(language: str, said: str) -> None:
    env = make_environment((THEME,), language=load_language(language, [THEME]))
    page = env.from_string('{{ ngettext("%(num)s post", "%(num)s posts", n, num=n|number) }}')
    assert page.render(n=12345).rsplit(" ", 1)[0] == said
    # The theme's counts of posts and series go through the filter.
    for name in ("tag.html", "archive.html", "authors.html", "home.html", "series_index.html"):
        text = (THEME / "templates" / name).read_text(encoding="utf-8")
        calls = [line for line in text.splitlines() if "ngettext(" in line]
        assert calls and all("|number" in line for line in calls), name
