"""Fail closed on every mistake an author makes.

Each case is a small, otherwise fine site with one mistake in it, built for the public
audience by the real CLI. A case either fails (exit 1, `path:line: message`, nothing written)
or builds with no byte of the withheld text (the word "quokka") in any output file or path,
and with no count of withheld posts inside the output. A property test then mutates the
front matter of a withheld post and the level markers of a public post at random.
"""

from __future__ import annotations

import io
import re
import string
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from tests.conftest import AUTHORS, CONFIG, NOW, SERIES, MakeSite, post

from journeyblog.cli import cli

CANARY = "quokka"  # in every withheld text: post bodies, titles, slugs, tags, image names
PUBLIC = "zebrapublic"  # in the site's public post: an exit 0 build must show it
SECRET = "The quokkasecret budget is for staff only.\n"

Files = Mapping[str, str | bytes]


# ---------------------------------------------------------------- what a case expects


@dataclass(frozen=True, slots=True)
class Fails:
    """Exit 1 naming `path`, on the line of `at` (a line number, or text whose first line
    in the file is the line). Several (a duplicated key): an error on one of them, the others
    named in it or in errors of their own. `near`: an error on any one of these lines."""

    path: str
    at: tuple[str | int, ...] = ()
    near: tuple[str | int, ...] = ()
    says: str = ""


@dataclass(frozen=True, slots=True)
class Withholds:
    """Exit 0, the public post shown, no byte of the withheld text anywhere."""


@dataclass(frozen=True, slots=True)
class FailsClosed:
    """Either of the two: what the product promises for a mistake it may reject or absorb."""

    path: str


Expected = Fails | Withholds | FailsClosed
WITHHOLDS = Withholds()


# ---------------------------------------------------------------- building and reading


def png(width: int = 4, height: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_site(make_site: MakeSite, files: Files) -> Path:
    """make_site for text, then the binary files written beside it."""
    site = make_site({path: text for path, text in files.items() if isinstance(text, str)})
    for relative, data in files.items():
        if isinstance(data, bytes):
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            (site / relative).write_bytes(data)
    return site


def build_public(site: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["build", str(site), "--now", NOW.isoformat(), *extra])


def published_things(site: Path) -> list[Path]:
    """What a build leaves for others to read: the output, its spare, the manifest beside."""
    out = site / "output"
    beside = [out.with_name(f".{out.name}.staging"), out.with_name(f"{out.name}.manifest.json")]
    return [item for item in (out, *beside) if item.exists()]


def everything_published(site: Path) -> str:
    """The text of every published file and every published path, one string."""
    texts: list[str] = []
    for item in published_things(site):
        files = [item] if item.is_file() else sorted(item.rglob("*"))
        for path in files:
            texts.append(path.relative_to(site).as_posix())
            if path.is_file():
                texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def assert_no_withheld_count(out: Path) -> None:
    """The publication manifest lives beside the output; nothing inside counts the withheld."""
    assert not (out / "publication-manifest.json").exists()
    for path in out.rglob("*"):
        if path.is_file():
            assert b'"excluded"' not in path.read_bytes(), path


def line_of(text: str | bytes, where: str | int) -> int:
    if isinstance(where, int):
        return where
    shown = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    assert where in shown, f"{where!r} is not in the case's file"
    return shown[: shown.index(where)].count("\n") + 1


def lines_named(stderr: str, shown_path: str) -> tuple[set[int], set[int]]:
    """The lines the errors of `shown_path` are on (`path:N:`), and those they mention."""
    on: set[int] = set()
    mentioned: set[int] = set()
    for line in stderr.splitlines():
        if line.startswith(f"{shown_path}:"):
            found = re.match(r"(\d+):", line[len(shown_path) + 1 :])
            if found:
                on.add(int(found[1]))
            mentioned.update(int(number) for number in re.findall(r"\blines? (\d+)", line))
    return on, mentioned


def assert_build_refused(site: Path, result: Result, path: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(r"^Build failed: \d+ errors?; nothing was written\.$", result.stderr, re.M)
    assert f"{site / path}:" in result.stderr, result.stderr
    assert published_things(site) == [], "a refused build wrote something"


def assert_built_without_canary(site: Path, result: Result) -> None:
    assert result.exit_code == 0, result.output
    text = everything_published(site)
    assert PUBLIC in text, "the public post is missing: the case proves nothing"
    assert CANARY not in text
    assert_no_withheld_count(site / "output")


def assert_expected(site: Path, files: Files, result: Result, expected: Expected) -> None:
    if isinstance(expected, Withholds):
        assert_built_without_canary(site, result)
    elif isinstance(expected, FailsClosed):
        if result.exit_code == 0:
            assert_built_without_canary(site, result)
        else:
            assert_build_refused(site, result, expected.path)
    else:
        assert_build_refused(site, result, expected.path)
        text = files[expected.path]
        shown = str(site / expected.path)
        on, mentioned = lines_named(result.stderr, shown)
        wanted = {line_of(text, where) for where in expected.at}
        assert wanted <= on | mentioned, (wanted, result.stderr)
        assert not wanted or wanted & on, (wanted, result.stderr)
        if expected.near:
            assert on & {line_of(text, where) for where in expected.near}, result.stderr
        if expected.says:
            mine = [line for line in result.stderr.splitlines() if line.startswith(shown)]
            assert any(expected.says in line for line in mine), result.stderr


# ---------------------------------------------------------------- the sites


def hello() -> dict[str, str]:
    """The public post every case's site has."""
    return {"content/posts/hello.md": post("Hello", body=f"Public {PUBLIC} words.\n")}


def withheld(*keys: str, body: str = SECRET) -> str:
    """A post meant to be kept back: title, date, author on lines 2-4, then `keys` from line 5."""
    front = ["---", "title: Budget quokka plans", "date: 2016-02-01", "author: ann", *keys]
    return "\n".join([*front, "---", "", body])


def with_post(text: str) -> dict[str, str]:
    return {**hello(), "content/posts/plans.md": text}


def marked(opening: str, closing: str = "<!-- /level -->", *, after: str = "") -> dict[str, str]:
    """A public post whose body keeps the secret in a block between two markers."""
    body = f"Everyone reads {PUBLIC} this.\n\n{opening}\n{SECRET}{closing}\n{after}\nThe end.\n"
    return {"content/posts/mixed.md": post("Mixed", body=body)}


def with_body(body: str) -> dict[str, str]:
    return {
        "content/posts/mixed.md": post("Mixed", body=f"Everyone reads {PUBLIC} this.\n\n{body}")
    }


SERIES_WITH_OPS = SERIES + "quokka-ops:\n  title: Quokka operations\n  description: Staff only.\n"


def targets() -> dict[str, str | bytes]:
    """What the build withholds and a public post might link to."""
    return {
        "content/series.yml": SERIES_WITH_OPS,
        "content/posts/cloud/02-quokka-lift.md": post(
            "The quokka lift",
            security="Internal",
            series="cloud",
            part=2,
            author="ben",
            tags=["quokkatag"],
            aliases=["/old/quokka-lift/"],
            image="/images/quokka-lift.png",
            body="The quokkabody of the lift.\n",
        ),
        "content/images/quokka-lift.png": png(),
        "content/posts/quokka-ops/01-quokka-rota.md": post(
            "The quokka rota", security="Internal", series="quokka-ops", part=1, body="Rota.\n"
        ),
        "content/posts/quokka-draft.md": post("Quokka draft", draft=True, body="Unread.\n"),
        "content/posts/quokka-later.md": post("Quokka later", date="2027-03-01", body="Soon.\n"),
    }


START = "content/posts/cloud/01-start.md"


def linking(body: str, **extra: object) -> dict[str, str | bytes]:
    """The targets, and the public part 1 of the series whose body is `body`."""
    text = post("Start", series="cloud", part=1, body=f"Public {PUBLIC} start.\n\n{body}", **extra)
    return {**targets(), START: text}


WITHHOLDS_LINK = "which this build withholds"
PLANS = "content/posts/plans.md"
MIXED = "content/posts/mixed.md"
ABOUT = "content/pages/about.md"


def page(body: str, *keys: str) -> dict[str, str]:
    text = "\n".join(["---", "title: About us", *keys, "---", "", body])
    return {**hello(), ABOUT: text}


def authors(text: str) -> dict[str, str]:
    return {**hello(), "content/authors.yml": text}


def series_file(text: str) -> dict[str, str]:
    return {**hello(), "content/series.yml": text}


FENCE = "```"

CASES: list[tuple[str, Files, Expected]] = [
    # Front matter: keys that keep a post back, misspelt or borrowed from other generators.
    (
        "key darft",
        with_post(withheld("security: public", "darft: true")),
        Fails(PLANS, at=("darft:",), says="unknown key 'darft' (did you mean 'draft'?)"),
    ),
    (
        "key Draft",
        with_post(withheld("security: public", "Draft: true")),
        Fails(PLANS, ("Draft:",)),
    ),
    (
        "key drafts",
        with_post(withheld("security: public", "drafts: true")),
        Fails(PLANS, ("drafts",)),
    ),
    (
        "key DRAFT",
        with_post(withheld("security: public", "DRAFT: true")),
        Fails(PLANS, ("DRAFT:",)),
    ),
    (
        "key draught",
        with_post(withheld("security: public", "draught: true")),
        Fails(PLANS, ("draught:",)),
    ),
    (
        "key security with a Cyrillic e",
        with_post(withheld("s\u0435curity: internal")),
        Fails(PLANS, ("s\u0435curity:",)),
    ),
    (
        "jekyll published false",
        with_post(withheld("security: public", "published: false")),
        Fails(PLANS, ("published:",), says="Jekyll"),
    ),
    (
        "private true",
        with_post(withheld("security: public", "private: true")),
        Fails(PLANS, ("private:",)),
    ),
    (
        "level instead of security",
        with_post(withheld("level: internal")),
        Fails(PLANS, ("level:",)),
    ),
    (
        "visibility internal",
        with_post(withheld("security: public", "visibility: internal")),
        Fails(PLANS, ("visibility:",)),
    ),
    (
        "hidden true",
        with_post(withheld("security: public", "hidden: true")),
        Fails(PLANS, ("hidden:",)),
    ),
    (
        "Security capitalised then security",
        with_post(withheld("Security: internal", "security: public")),
        Fails(PLANS, ("Security:",)),
    ),
    # Front matter: duplicated keys.
    (
        "security duplicated",
        with_post(withheld("security: internal", "security: Public")),
        Fails(PLANS, ("security: internal", "security: Public")),
    ),
    (
        "security duplicated public first",
        with_post(withheld("security: public", "tags: [cloud]", "security: internal")),
        Fails(PLANS, ("security: public", "security: internal")),
    ),
    (
        "draft duplicated",
        with_post(withheld("security: public", "draft: true", "draft: false")),
        Fails(PLANS, ("draft: true", "draft: false")),
    ),
    # Front matter: loose types of security and draft.
    ("security a list", with_post(withheld("security: [internal]")), Fails(PLANS, ("security:",))),
    ("security a number", with_post(withheld("security: 2")), Fails(PLANS, ("security:",))),
    ("security empty", with_post(withheld("security:")), Fails(PLANS, ("security:",))),
    ("security null", with_post(withheld("security: ~")), Fails(PLANS, ("security:",))),
    ("security a boolean", with_post(withheld("security: true")), Fails(PLANS, ("security:",))),
    (
        "security two levels",
        with_post(withheld("security: public, internal")),
        Fails(PLANS, ("security:",)),
    ),
    (
        "security with words after",
        with_post(withheld("security: Internal only")),
        Fails(PLANS, ("security:",)),
    ),
    (
        "draft quoted true",
        with_post(withheld("security: public", 'draft: "true"')),
        Fails(PLANS, ("draft:",)),
    ),
    (
        "draft quoted false",
        with_post(withheld("security: public", 'draft: "false"')),
        Fails(PLANS, ("draft:",)),
    ),
    (
        "draft quoted yes",
        with_post(withheld("security: public", 'draft: "yes"')),
        Fails(PLANS, ("draft:",)),
    ),
    (
        "draft a number",
        with_post(withheld("security: public", "draft: 1")),
        Fails(PLANS, ("draft:",)),
    ),
    ("draft empty", with_post(withheld("security: public", "draft:")), Fails(PLANS, ("draft:",))),
    # Front matter: right, if unusual: the post is kept back.
    ("draft yes is YAML true", with_post(withheld("security: public", "draft: yes")), WITHHOLDS),
    ("draft on is YAML true", with_post(withheld("security: public", "draft: on")), WITHHOLDS),
    ("security upper case", with_post(withheld("security: INTERNAL")), WITHHOLDS),
    ("security spaced and quoted", with_post(withheld('security: " internal "')), WITHHOLDS),
    ("space before the colon", with_post(withheld("security : internal")), WITHHOLDS),
    ("security with a comment", with_post(withheld("security: internal  # staff")), WITHHOLDS),
    (
        "CRLF and a byte order mark",
        with_post("\ufeff" + withheld("security: internal").replace("\n", "\r\n")),
        WITHHOLDS,
    ),
    # Front matter: the fences and the YAML itself.
    (
        "closing fence forgotten",
        with_post(withheld("security: internal").replace("---\n\n", "\n", 1)),
        Fails(PLANS),
    ),
    (
        "security indented under tags",
        with_post(withheld("security: public", "tags:", "  - cloud", "  draft: true")),
        FailsClosed(PLANS),
    ),
    ("no space after the colon", with_post(withheld("security:internal")), FailsClosed(PLANS)),
    (
        "hugo TOML front matter",
        with_post(
            '+++\ntitle = "Budget quokka plans"\ndate = 2016-02-01\nauthor = "ann"\n'
            f'security = "internal"\n+++\n\n{SECRET}'
        ),
        FailsClosed(PLANS),
    ),
    (
        "empty file",
        {**hello(), "content/posts/quokka-empty.md": ""},
        Fails("content/posts/quokka-empty.md"),
    ),
    # Level markers in a public post.
    ("marker levle", marked("<!-- levle: internal -->"), Fails(MIXED, ("<!-- levle",))),
    ("marker level name only", marked("<!-- internal -->"), Fails(MIXED, ("<!-- internal",))),
    (
        "marker Level without colon",
        marked("<!-- Level internal -->"),
        Fails(MIXED, ("<!-- Level",)),
    ),
    ("marker lvl", marked("<!-- lvl: internal -->"), Fails(MIXED, ("<!-- lvl",))),
    ("marker levels", marked("<!-- levels: internal -->"), Fails(MIXED, ("<!-- levels",))),
    ("marker level equals", marked("<!-- level = internal -->"), Fails(MIXED, ("<!-- level =",))),
    (
        "marker with words after",
        marked("<!-- level: internal (budget) -->"),
        Fails(MIXED, ("<!-- level: internal (",)),
    ),
    ("marker unknown level", marked("<!-- level: secret -->"), Fails(MIXED, ("<!-- level: s",))),
    ("marker restricted only", marked("<!-- restricted -->"), Fails(MIXED, ("<!-- restricted",))),
    ("marker never ends", marked("<!-- level: internal"), Fails(MIXED, ("<!-- level: internal",))),
    ("marker ends -- >", marked("<!-- level: internal -- >"), Fails(MIXED, ("<!-- level: int",))),
    (
        "closing marker levle",
        marked("<!-- level: internal -->", "<!-- /levle -->"),
        Fails(MIXED, ("<!-- /levle",)),
    ),
    (
        "closing marker forgotten",
        marked("<!-- level: internal -->", ""),
        Fails(MIXED, ("<!-- level: internal",)),
    ),
    (
        "public block inside internal",
        marked("<!-- level: internal -->\n\n<!-- level: public -->", after="<!-- /level -->"),
        # Lines in messages are the file's: the outer block opens on line 10, not the body's 3.
        Fails(MIXED, ("<!-- level: public",), says="the 'internal' block of line 10"),
    ),
    (
        "marker in a fence never closed",
        with_body(f"{FENCE}\n<!-- level: internal -->\n{SECRET}<!-- /level -->\n"),
        Fails(MIXED, near=(FENCE, "<!-- level: internal"), says="opened on line 10"),
    ),
    ("marker without spaces", marked("<!--level:internal-->", "<!--/level-->"), WITHHOLDS),
    ("marker upper case", marked("<!-- LEVEL: Internal -->", "<!-- /LEVEL -->"), WITHHOLDS),
    ("closing marker spaced", marked("<!-- level: internal -->", "<!-- / level -->"), WITHHOLDS),
    (
        "closing marker names its level",
        marked("<!-- level: internal -->", "<!-- /level: internal -->"),
        WITHHOLDS,
    ),
    (
        "markers inline in a paragraph",
        with_body(f"Before <!-- level: internal -->{SECRET.strip()}<!-- /level --> after.\n"),
        WITHHOLDS,
    ),
    (
        "block with a heading for the contents",
        with_body("<!-- level: internal -->\n## The quokka heading\n\nStaff.\n<!-- /level -->\n"),
        WITHHOLDS,
    ),
    (
        "block with the only use of an image",
        {
            **with_body(
                "<!-- level: internal -->\n![Plan](/images/quokka-plan.png)\n<!-- /level -->\n"
            ),
            "content/images/quokka-plan.png": png(),
        },
        WITHHOLDS,
    ),
    (
        "markers with CRLF",
        {MIXED: marked("<!-- level: internal -->")[MIXED].replace("\n", "\r\n")},
        WITHHOLDS,
    ),
    (
        "markers in a blockquote",
        with_body(f"> <!-- level: internal -->\n> {SECRET}> <!-- /level -->\n"),
        FailsClosed(MIXED),
    ),
    (
        "markers in a list item",
        with_body(f"- first\n\n  <!-- level: internal -->\n  {SECRET}  <!-- /level -->\n"),
        FailsClosed(MIXED),
    ),
    # Pages.
    ("page internal", page(SECRET, "security: internal"), WITHHOLDS),
    (
        "page internal block",
        page(f"About {PUBLIC}.\n\n<!-- level: internal -->\n{SECRET}<!-- /level -->\n"),
        WITHHOLDS,
    ),
    (
        "page marker typo",
        page(f"About.\n\n<!-- levle: internal -->\n{SECRET}<!-- /level -->\n"),
        Fails(ABOUT, ("<!-- levle",)),
    ),
    ("page level key", page(SECRET, "level: internal"), Fails(ABOUT, ("level:",))),
    ("page darft key", page(SECRET, "darft: true"), Fails(ABOUT, ("darft:",))),
    # Links from a public post to what the build withholds.
    ("withheld targets, no link to them", linking("No links here.\n"), WITHHOLDS),
    (
        "link to an internal post",
        linking("See [the lift](/posts/quokka-lift/).\n"),
        Fails(START, ("See [the lift]",), says=f"links to '/posts/quokka-lift/', {WITHHOLDS_LINK}"),
    ),
    (
        "link to an internal post, absolute",
        linking("See [the lift](https://blog.test.example/posts/quokka-lift/).\n"),
        Fails(START, ("See [the lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to an internal post's section",
        linking("See [costs](/posts/quokka-lift/#costs).\n"),
        Fails(START, ("See [costs]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to an internal post's alias",
        linking("See [the lift](/old/quokka-lift/).\n"),
        Fails(START, ("See [the lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to a tag only internal posts have",
        linking("Filed under [quokkatag](/tags/quokkatag/).\n"),
        Fails(START, ("Filed under",), says=WITHHOLDS_LINK),
    ),
    (
        "link to an author of internal posts only",
        linking("Ask [Ben](/authors/ben/).\n"),
        Fails(START, ("Ask [Ben]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to a series of internal posts only",
        linking("Read [the rota](/series/quokka-ops/).\n"),
        Fails(START, ("Read [the rota]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to an image only an internal post shows",
        linking("Here: [the lift](/images/quokka-lift.png)\n"),
        Fails(START, ("Here: [the lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to a draft",
        linking("See [the draft](/posts/quokka-draft/).\n"),
        Fails(START, ("See [the draft]",), says=WITHHOLDS_LINK),
    ),
    (
        "link in raw HTML to an internal post",
        {
            **linking('See <a href="/posts/quokka-lift/">the lift</a>.\n'),
            "journeyblog.toml": CONFIG + "allow_raw_html = true\n",
        },
        Fails(
            START,
            ('See <a href="/posts',),
            says=f"links to '/posts/quokka-lift/', {WITHHOLDS_LINK}",
        ),
    ),
    (
        "link in raw HTML to a draft, written absolute",
        {
            **linking(
                "<p>See <a href='https://blog.test.example/posts/quokka-draft/'>it</a></p>\n"
            ),
            "journeyblog.toml": CONFIG + "allow_raw_html = true\n",
        },
        Fails(START, ("<p>See <a href=",), says=WITHHOLDS_LINK),
    ),
    (
        "link to a future post",
        linking("Coming: [later](/posts/quokka-later/).\n"),
        Fails(START, ("Coming:",), says=WITHHOLDS_LINK),
    ),
    (
        "reference link to an internal post",
        linking("See [the lift][lift].\n\n[lift]: /posts/quokka-lift/\n"),
        Fails(START, near=("See [the lift]", "[lift]:")),
    ),
    (
        "link in the summary",
        linking("Text.\n", summary='"See [the lift](/posts/quokka-lift/)."'),
        Fails(START, ("summary:",), says=WITHHOLDS_LINK),
    ),
    (
        "link from a page",
        {
            **linking("Text.\n"),
            ABOUT: "---\ntitle: About\n---\n\nSee [the lift](/posts/quokka-lift/).\n",
        },
        Fails(ABOUT, ("See [the lift]",), says=WITHHOLDS_LINK),
    ),
    ("link without its slash", linking("[Lift](/posts/quokka-lift)\n"), FailsClosed(START)),
    ("link relative", linking("[Lift](../quokka-lift/)\n"), FailsClosed(START)),
    ("link to index.html", linking("[Lift](/posts/quokka-lift/index.html)\n"), FailsClosed(START)),
    # content/authors.yml and content/series.yml.
    (
        "authors duplicated entry",
        authors(AUTHORS + "ann:\n  name: Ann Again\n"),
        Fails("content/authors.yml", (1, AUTHORS.count("\n") + 1)),
    ),
    (
        "authors organization",
        authors(AUTHORS.replace("  organisation: Port", "  organization: Port")),
        Fails("content/authors.yml", ("organization:",), says="did you mean 'organisation'"),
    ),
    (
        "authors field duplicated",
        authors(AUTHORS.replace("  role: Head of IT\n", "  role: Head of IT\n  role: CIO\n")),
        Fails("content/authors.yml", ("role: Head of IT", "role: CIO")),
    ),
    (
        "authors Name capitalised",
        authors(AUTHORS.replace("  name: Ben", "  Name: Ben")),
        Fails("content/authors.yml", ("Name:",)),
    ),
    (
        "series plannned",
        series_file(SERIES.replace("planned:", "plannned:")),
        Fails("content/series.yml", ("plannned:",), says="did you mean 'planned'"),
    ),
    (
        "series duplicated entry",
        series_file(SERIES + "cloud:\n  title: Cloud again\n"),
        Fails("content/series.yml", (1, SERIES.count("\n") + 1)),
    ),
    (
        "series Title capitalised",
        series_file(SERIES.replace("  title:", "  Title:")),
        Fails("content/series.yml", ("Title:",)),
    ),
]

RAW_HTML = {"journeyblog.toml": CONFIG + "allow_raw_html = true\n"}
FRONT = "---\ntitle: Budget quokka plans\ndate: 2016-02-01\nauthor: ann\nsecurity: public\n---\n"


def levels(*names: str, audience: str = "") -> dict[str, str]:
    listed = ", ".join(f'"{name}"' for name in names)
    chosen = f'audience = "{audience}"\n' if audience else ""
    return {
        "journeyblog.toml": CONFIG + f"security_levels = [{listed}]\n{chosen}",
        "content/posts/hello.md": post("Hello", security="public", body=f"Public {PUBLIC}.\n"),
        PLANS: withheld("security: restricted"),
    }


# Mistakes found by trying more of them: what a writer from another tool, or in a hurry, does.
CASES += [
    # Front matter in the wrong place or of the wrong shape.
    (
        "draft below the closing fence",
        with_post(FRONT + "draft: true\n\n" + SECRET),
        Fails(PLANS, ("draft: true",)),
    ),
    (
        "a second front matter block",
        with_post(FRONT + "---\nsecurity: internal\ndraft: true\n---\n\n" + SECRET),
        Fails(PLANS, ("security: internal",), says="below the front matter's closing ---"),
    ),
    (
        "draft under extra",
        with_post(withheld("security: public", "extra:", "  draft: true")),
        Fails(PLANS, ("extra:",)),
    ),
    (
        "draft swallowed by a folded summary",
        with_post(
            withheld("security: public", "summary: >", "  Plans for the year.", "  draft: true")
        ),
        Fails(PLANS, ("summary:",)),
    ),
    (
        "title a list",
        with_post(FRONT.replace("title: Budget quokka plans", "title: [quokka, plans]") + SECRET),
        Fails(PLANS, ("title:",)),
    ),
    (
        "date out of range",
        with_post(FRONT.replace("2016-02-01", "0001-01-01T00:00+14:00") + SECRET),
        Fails(PLANS, ("date:",), says="out of range"),
    ),
    (
        "part far too high",
        with_post(post("Quokka", series="cloud", part=10**23, body=SECRET)),
        Fails(PLANS, ("part:",)),
    ),
    (
        "slug too long",
        with_post(withheld("security: public", "slug: " + "q" * 300)),
        Fails(PLANS, ("slug:",)),
    ),
    (
        "alias too long",
        with_post(withheld("security: public", "aliases: [/" + "q" * 300 + "/]")),
        Fails(PLANS, ("aliases:",)),
    ),
    # Level markers where only a body has them.
    (
        "marker in the summary",
        with_post(
            withheld(
                "security: public",
                'summary: "Plans. <!-- level: internal -->quokka<!-- /level -->"',
            )
        ),
        Fails(PLANS, ("summary:",), says="HTML comment"),
    ),
    (
        "marker in a tag",
        with_post(withheld("security: public", 'tags: ["plans <!-- level: internal -->quokka"]')),
        Fails(PLANS, ("tags:",)),
    ),
    (
        "marker in an author's bio",
        authors(AUTHORS + "  bio: Ben. <!-- level: internal -->quokka<!-- /level -->\n"),
        Fails("content/authors.yml", near=("ben:", "bio: Ben.")),
    ),
    (
        "marker in a series description",
        series_file(
            SERIES.replace(
                "cloud-first services.", "cloud. <!-- level: internal -->quokka<!-- /level -->"
            )
        ),
        Fails("content/series.yml", near=("cloud:", "description:")),
    ),
    (
        "marker in the site description",
        {
            "journeyblog.toml": CONFIG
            + 'description = "Notes <!-- level: internal -->quokka<!-- /level -->"\n'
        },
        Fails("journeyblog.toml", ("description =",)),
    ),
    # Comments that mean to hide a block, and other tools' ways of hiding one.
    (
        "block marked with security:",
        marked("<!-- security: internal -->", "<!-- /security -->"),
        Fails(MIXED, near=("<!-- security", "<!-- /security")),
    ),
    (
        "block marked private",
        marked("<!-- private -->", "<!-- /private -->"),
        Fails(MIXED, near=("<!-- private", "<!-- /private")),
    ),
    (
        "block begin and end internal",
        marked("<!-- begin internal -->", "<!-- end internal -->"),
        Fails(MIXED, near=("<!-- begin", "<!-- end")),
    ),
    (
        "block if internal",
        marked("<!-- if internal -->", "<!-- endif -->"),
        Fails(MIXED, ("<!-- if internal",)),
    ),
    (
        "hugo shortcode",
        marked("{{< private >}}", "{{< /private >}}"),
        Fails(MIXED, near=("{{< private", "{{< /private")),
    ),
    ("liquid if", marked("{% if internal %}", "{% endif %}"), Fails(MIXED, ("{% if",))),
    (
        "link reference comment",
        marked("[//]: # (level: internal)", "[//]: # (/level)"),
        Fails(MIXED, near=("[//]: # (level", "[//]: # (/level")),
    ),
    (
        "marker written as entities",
        marked("&lt;!-- level: internal --&gt;", "&lt;!-- /level --&gt;"),
        Fails(MIXED, near=("&lt;!-- level", "&lt;!-- /level")),
    ),
    ("obsidian comment", with_body("%% the quokka figures are wrong %%\n"), Fails(MIXED, ("%%",))),
    (
        "kramdown comment",
        with_body("{::comment}\nThe quokka figures.\n{:/comment}\n"),
        Fails(MIXED, ("{::comment}",)),
    ),
    (
        "a note to editors in a comment",
        with_body("Costs rose.\n<!-- Note to editors: the quokka figures are wrong -->\n"),
        WITHHOLDS,
    ),
    (
        "a note to editors with raw HTML on",
        {**RAW_HTML, **with_body("<!-- Note: quokka\n\nfigures to come -->\nCosts rose.\n")},
        WITHHOLDS,
    ),
    (
        "a note never closed",
        with_body("Costs rose.\n<!-- Note: quokka figures\n"),
        Fails(MIXED, ("<!-- Note",)),
    ),
    # A link to a withheld post however it is written, and addresses that name it.
    (
        "link with a dot segment",
        linking("[Lift](/posts/./quokka-lift/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link with a double slash",
        linking("[Lift](/posts//quokka-lift/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    ("link with a backslash", linking("[Lift](/posts\\quokka-lift/)\n"), FailsClosed(START)),
    (
        "link in upper case",
        linking("[Lift](/POSTS/QUOKKA-LIFT/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to the host in capitals",
        linking("[Lift](https://BLOG.test.example/posts/quokka-lift/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link with the default port",
        linking("[Lift](https://blog.test.example:443/posts/quokka-lift/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to the host with a trailing dot",
        linking("[Lift](https://blog.test.example./posts/quokka-lift/)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "bare address in text",
        linking("The lift is at https://blog.test.example/posts/quokka-lift/ now.\n"),
        FailsClosed(START),
    ),
    (
        "canonical to the withheld post",
        linking("Text.\n", canonical="https://blog.test.example/posts/quokka-lift/"),
        FailsClosed(START),
    ),
    (
        "alias at the withheld post's address",
        linking("Text.\n", aliases=["/posts/quokka-lift/"]),
        Fails(START, ("aliases:",), says=WITHHOLDS_LINK),
    ),
    (
        "alias at the withheld post's alias",
        linking("Text.\n", aliases=["/old/quokka-lift/"]),
        Fails(START, ("aliases:",), says=WITHHOLDS_LINK),
    ),
    (
        "meta refresh to the withheld post",
        {
            **linking('<meta http-equiv="refresh" content="0; url=/posts/quokka-lift/">\n'),
            **RAW_HTML,
        },
        FailsClosed(START),
    ),
    # A withheld post's picture, named as the file is not: still withheld with the post.
    (
        "internal post's picture named in another case",
        {
            PLANS: withheld("security: internal", body="![Plan](/images/Quokka-Plan.png)\n"),
            "content/images/quokka-plan.png": png(),
        },
        WITHHOLDS,
    ),
    (
        "internal post's lead picture as an address of the site",
        {
            PLANS: withheld(
                "security: internal", "image: https://blog.test.example/images/quokka-plan.png"
            ),
            "content/images/quokka-plan.png": png(),
        },
        WITHHOLDS,
    ),
    (
        "internal post's picture by a winding path",
        {
            PLANS: withheld("security: internal", body="![Plan](../images/x/../quokka-plan.png)\n"),
            "content/images/quokka-plan.png": png(),
        },
        WITHHOLDS,
    ),
    # Files named as other tools name posts, or what they leave out.
    (
        "a post saved as .markdown and linked",
        {
            **linking("See [part 2](02-quokka-plans.markdown).\n"),
            "content/posts/cloud/02-quokka-plans.markdown": withheld("security: internal"),
        },
        Fails(
            "content/posts/cloud/02-quokka-plans.markdown", says="rename it to 02-quokka-plans.md"
        ),
    ),
    (
        "a post saved as .MD",
        {"content/posts/quokka.MD": withheld("security: internal")},
        Fails("content/posts/quokka.MD"),
    ),
    (
        "a post in Jekyll's _drafts folder",
        {"content/posts/_drafts/quokka.md": withheld("security: public")},
        Fails("content/posts/_drafts/quokka.md", says="'_drafts' begins with _"),
    ),
    (
        "link to the page by its file name",
        linking("[Lift](/posts/quokka-lift.html)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "link to the source file from the root",
        linking("[Lift](/content/posts/cloud/02-quokka-lift.md)\n"),
        Fails(START, ("[Lift]",), says=WITHHOLDS_LINK),
    ),
    (
        "relative source link in the summary",
        linking("Text.\n", summary='"See [the lift](02-quokka-lift.md)."'),
        Fails(START, ("summary:",), says=WITHHOLDS_LINK),
    ),
    (
        "source link in a series description",
        {
            **linking("Text.\n"),
            "content/series.yml": SERIES_WITH_OPS.replace(
                "services.", "services; see [the lift](posts/cloud/02-quokka-lift.md)."
            ),
        },
        Fails("content/series.yml", says=WITHHOLDS_LINK),
    ),
    (
        "a post named .draft.md",
        {"content/posts/quokka.draft.md": withheld("security: public")},
        Fails("content/posts/quokka.draft.md", says="write draft: true"),
    ),
    # The order of the levels.
    (
        "levels written highest first",
        levels("restricted", "internal", "public"),
        Fails("journeyblog.toml", ("security_levels",), says="put 'internal' before 'restricted'"),
    ),
    (
        "levels highest first with a public audience",
        levels("restricted", "internal", "public", audience="public"),
        Fails("journeyblog.toml", ("security_levels",)),
    ),
]


# Code as the renderer reads it, not as it looks: indentation that is no code block, an
# escaped backtick, a fence that raw HTML makes text; and notes whose removal would change
# the markers around them.
CASES += [
    (
        "a note on a list item's indented line",
        with_body("1. Open the portal.\n\n    <!-- TODO: the quokka password -->\n    Sign in.\n"),
        WITHHOLDS,
    ),
    (
        "a private comment block indented under a paragraph",
        with_body(
            "A paragraph that goes on\n    <!-- private -->\n    The quokka.\n"
            "    <!-- /private -->\n"
        ),
        Fails(MIXED, ("<!-- private -->",)),
    ),
    (
        "a Hugo shortcode indented under a paragraph",
        with_body(
            "A paragraph that goes on\n    {{< private >}}\n    The quokka.\n    {{< /private >}}\n"
        ),
        Fails(MIXED, ("{{< private >}}",)),
    ),
    (
        "a note after an escaped backtick",
        with_body("A \\`<!-- the quokka note --> ` here.\n"),
        WITHHOLDS,
    ),
    (
        "a marked block between fence lines inside raw HTML",
        {
            "journeyblog.toml": CONFIG + "allow_raw_html = true\n",
            **with_body(
                "<div>\n```\n<!-- level: internal -->\n" + SECRET + "<!-- /level -->\n```\n</div>\n"
            ),
        },
        WITHHOLDS,
    ),
    (
        "a note whose removal opens a fence over the closing marker",
        with_body(
            "<!-- level: internal -->\n"
            + SECRET
            + "\n- a\n\n<!-- note -->\n    ```\n    <!-- /level -->\n"
        ),
        Fails(MIXED),
    ),
    (
        "a note spliced into a marker",
        with_body(
            "<!-- level: internal -->\nIntro.\n<!<!-- n -->-- /level -->\n"
            + SECRET
            + "<!<!-- n -->-- level: internal -->\n<!-- /level -->\n"
        ),
        Fails(MIXED),
    ),
    (
        "a markdown comment line inside a quote",
        with_body("> [//]: # (level: internal)\n> The quokka secret.\n"),
        Fails(MIXED, ("> [//]",)),
    ),
    (
        "an Obsidian comment inside a quote",
        with_body("> %%\n> The quokka secret.\n> %%\n"),
        Fails(MIXED, ("> %%",)),
    ),
    (
        "a level marker written as entities in a summary",
        {
            MIXED: post(
                "Mixed",
                summary='"Plans &lt;!-- level: internal --&gt; quokka"',
                body=f"{PUBLIC}.\n",
            )
        },
        Fails(MIXED, ("summary:",)),
    ),
    (
        "a link from a page to a page this build withholds",
        {
            **page("Staff: see [the plan](/quokka-plan/).\n"),
            "content/pages/quokka-plan.md": "---\ntitle: The quokka plan\nsecurity: internal\n"
            + "---\n\n"
            + SECRET,
        },
        Fails(ABOUT, ("Staff: see",), says="which this build withholds (internal)"),
    ),
    (
        "a link to a draft",
        {
            **linking("See [the draft](/posts/quokka-draft/).\n"),
            "content/posts/quokka-draft.md": withheld("security: public", "draft: true"),
        },
        Fails(START, ("See [the draft]",), says="publish the draft first"),
    ),
    *(
        (
            f"a block between {opening} and {closing}",
            marked(opening, closing),
            Fails(MIXED, (opening,)),
        )
        for opening, closing in [
            ("<!-- confidential: begin -->", "<!-- confidential: end -->"),
            ("<!-- classified -->", "<!-- /classified -->"),
            ("<!-- restrict -->", "<!-- /restrict -->"),
            ("<!-- redacted -->", "<!-- /redacted -->"),
            ("<!-- not for publication -->", "<!-- /not for publication -->"),
            ("<!-- internal: from here -->", "<!-- internal: to here -->"),
            ("<!-- mewnol -->", "<!-- /mewnol -->"),
            ("<!-- haen: mewnol -->", "<!-- /haen -->"),
            ("<!-- dechrau cyfrinachol -->", "<!-- diwedd cyfrinachol -->"),
            ("<!-- do not publish -->", "<!-- /do not publish -->"),
        ]
    ),
    (
        "two notes that share a word",
        with_body(
            "<!-- TODO: check the security figures -->\nText.\n<!-- link the security policy -->\n"
        ),
        WITHHOLDS,
    ),
    (
        "level markers indented as code in a list item",
        with_body(
            "1. Step one.\n\n    <!-- level: internal -->\n    " + SECRET + "    <!-- /level -->\n"
        ),
        WITHHOLDS,
    ),
    (
        "a fence whose closing line is indented as code",
        with_body("```\ncode\n<!-- level: internal -->\n" + SECRET + "<!-- /level -->\n    ```\n"),
        Fails(MIXED, says="never closed"),
    ),
    (
        "a comment as a key under extra",
        with_post(withheld("security: public", "extra:", '  "<!-- the quokka note -->": 1')),
        Fails(PLANS, ("extra:",)),
    ),
    *(
        (
            f"levels {' then '.join(names)}",
            {
                "journeyblog.toml": CONFIG
                + "security_levels = ["
                + ", ".join(f'"{name}"' for name in names)
                + "]\n",
                "content/posts/hello.md": post(
                    "Hello", security=names[-1], body=f"Public {PUBLIC}.\n"
                ),
                PLANS: withheld(f"security: {names[0]}"),
            },
            Fails("journeyblog.toml", ("security_levels",)),
        )
        for names in [("cyfrinachol", "agored"), ("internal", "external"), ("geheim", "intern")]
    ),
    (
        "levels private then public",
        {
            "journeyblog.toml": CONFIG + 'security_levels = ["private", "public"]\n',
            "content/posts/hello.md": post("Hello", security="public", body=f"Public {PUBLIC}.\n"),
            PLANS: withheld("security: private"),
        },
        Fails("journeyblog.toml", ("security_levels",)),
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_mistake_fails_closed(make_site: MakeSite, files: Files, expected: Expected) -> None:
    site = write_site(make_site, {**hello(), **files})
    result = build_public(site)
    assert_expected(site, {**hello(), **files}, result, expected)


def test_a_manifest_asked_for_inside_the_output_is_refused(make_site: MakeSite) -> None:
    site = write_site(make_site, with_post(withheld("security: internal")))
    result = build_public(site, "--manifest", str(site / "output" / "m.json"))
    assert result.exit_code == 2, result.output
    assert "--manifest" in result.stderr and "inside the output folder" in result.stderr
    assert not (site / "output").exists()


def test_the_kit_has_many_mistakes() -> None:
    assert len(CASES) >= 40
    assert len({name for name, _, _ in CASES}) == len(CASES)


def test_a_marker_inside_fenced_code_is_published_as_code(make_site: MakeSite) -> None:
    body = (
        f"{FENCE}markdown\n<!-- level: internal -->\nAn example block.\n<!-- /level -->\n{FENCE}\n"
    )
    site = write_site(make_site, {**hello(), **with_body(body)})
    result = build_public(site)
    assert result.exit_code == 0, result.output
    page = (site / "output/posts/mixed/index.html").read_text(encoding="utf-8")
    assert "&lt;!-- level: internal --&gt;" in page
    assert "An example block." in page


@pytest.mark.parametrize(
    "body",
    ["See [the lift](/posts/quokka-lift/).\n", "Ask [Ben](/authors/ben/).\n"],
    ids=["post", "author"],
)
def test_check_reports_links_to_what_the_build_withholds(make_site: MakeSite, body: str) -> None:
    files = linking(body)
    site = write_site(make_site, {**hello(), **files})
    result = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1, result.output
    line = line_of(files[START], body.split("(")[0])
    assert f"{site / START}:{line}: links to '" in result.stderr
    assert WITHHOLDS_LINK in result.stderr


def test_each_link_is_named_on_its_own_line(make_site: MakeSite) -> None:
    """Two links to one withheld post, one written as a prefix of the other."""
    body = "See [the lift](/posts/quokka-lift/).\n\nText.\n\nOr [this](/posts/quokka-lift).\n"
    files = linking(body)
    site = write_site(make_site, {**hello(), **files})
    result = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])
    assert result.exit_code == 1, result.output
    for written in ("See [the lift]", "Or [this]"):
        assert f"{site / START}:{line_of(files[START], written)}: links to '" in result.stderr


def test_the_same_links_build_for_an_audience_that_gets_them(make_site: MakeSite) -> None:
    """The link errors are about this build's audience, not about links as such."""
    site = write_site(make_site, {**hello(), **linking("See [the lift](/posts/quokka-lift/).\n")})
    result = build_public(site, "--audience", "internal")
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- property test

EDIT_CHARS = string.ascii_letters + string.digits + " _-/"


@st.composite
def near_word(draw: st.DrawFn, word: str) -> str:
    """`word` within two edits: one swap of neighbours, or one or two single-character
    inserts, deletions or replacements (a swap is two edits, as the marker grammar counts)."""
    at = draw(st.integers(min_value=0, max_value=len(word) - 2))
    if draw(st.booleans()):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        at = draw(st.integers(min_value=0, max_value=len(word) - 1))
        char = draw(st.sampled_from(EDIT_CHARS))
        if kind == "insert":
            word = word[:at] + char + word[at:]
        elif kind == "delete" and len(word) > 1:
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + char + word[at + 1 :]
    return word


def case_changed(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if flip else c for c, flip in zip(word, flips, strict=True))


@st.composite
def withheld_front_matter(draw: st.DrawFn) -> list[str]:
    """The key lines of a post meant to be withheld (internal, or a draft), mutated once."""
    by_draft = draw(st.booleans())
    key, value = ("draft", "true") if by_draft else ("security", "internal")
    lines = ["security: public", "draft: true"] if by_draft else ["security: internal"]
    index = lines.index(f"{key}: {value}")
    mutations = ["typo", "case", "duplicate", "type", "other generator"]
    # Without `draft: true` a post is public by right; without `security` it is an error.
    mutation = draw(st.sampled_from(mutations if by_draft else [*mutations, "dropped"]))
    if mutation == "typo":
        lines[index] = f"{draw(near_word(key))}: {value}"
    elif mutation == "case":
        lines[index] = f"{case_changed(draw, key)}: {value}"
    elif mutation == "duplicate":
        other = "false" if by_draft else draw(st.sampled_from(["public", "Public", "PUBLIC"]))
        twice = [lines[index], f"{key}: {other}"]
        lines[index : index + 1] = twice if draw(st.booleans()) else twice[::-1]
    elif mutation == "type":
        shapes = [f"[{value}]", "2", "0", f'"{value}"', "", "~", f"{{level: {value}}}"]
        lines[index] = f"{key}: {draw(st.sampled_from(shapes))}"
    elif mutation == "other generator":
        habit = draw(
            st.sampled_from(
                [
                    "published: false",
                    "private: true",
                    "level: internal",
                    "visibility: internal",
                    "hidden: true",
                ]
            )
        )
        lines[index] = habit
        if not by_draft and draw(st.booleans()):
            lines.append("security: public")
    else:
        del lines[index]
    return draw(st.permutations(lines))


MARKER_MUTATIONS = ("edit level", "drop colon", "case", "drop -->", "drop marker")


def mutated(draw: st.DrawFn, marker: str, mutation: str) -> str:
    if mutation == "edit level":
        return marker.replace("level", draw(near_word("level")), 1)
    if mutation == "drop colon":
        return marker.replace(":", "", 1)
    if mutation == "case":
        return case_changed(draw, marker)
    if mutation == "drop -->":
        return marker.replace(" -->", "", 1)
    return ""


@st.composite
def mutated_markers(draw: st.DrawFn) -> tuple[str, str]:
    """An opening and a closing level marker, one or both mutated once (not both dropped:
    a body without markers is public by right)."""
    opening, closing = "<!-- level: internal -->", "<!-- /level -->"
    which = draw(st.sampled_from(["opening", "closing", "both"]))
    first = draw(st.sampled_from(MARKER_MUTATIONS))
    second = draw(st.sampled_from([m for m in MARKER_MUTATIONS if not m == first == "drop marker"]))
    if which in ("opening", "both"):
        opening = mutated(draw, opening, first)
    if which in ("closing", "both"):
        closing = mutated(draw, closing, second if which == "both" else first)
    return opening, closing


def _build_in_folder(folder: Path, files: Mapping[str, str]) -> tuple[Path, Result]:
    site = folder / "site"
    defaults = {
        "journeyblog.toml": CONFIG,
        "content/authors.yml": AUTHORS,
        "content/series.yml": SERIES,
        **hello(),
    }
    for relative, text in {**defaults, **files}.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    return site, build_public(site, "--no-cache")


def assert_closed(site: Path, result: Result, path: str) -> None:
    if result.exit_code == 0:
        assert_built_without_canary(site, result)
    else:
        assert_build_refused(site, result, path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=withheld_front_matter())
def test_no_mutation_of_a_withheld_posts_front_matter_publishes_it(keys: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site, result = _build_in_folder(Path(folder), {PLANS: withheld(*keys)})
        assert_closed(site, result, PLANS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markers=mutated_markers())
def test_no_mutation_of_a_level_marker_publishes_the_block(markers: tuple[str, str]) -> None:
    opening, closing = markers
    with tempfile.TemporaryDirectory() as folder:
        site, result = _build_in_folder(Path(folder), marked(opening, closing))
        assert_closed(site, result, MIXED)
