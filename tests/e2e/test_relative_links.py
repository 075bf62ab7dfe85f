"""Links and pictures written as an editor previews them: by their path from the file.

A site written that way (relative `.md` links in every form, a post in a folder of its own
with its pictures beside it, a picture shared by a public and an internal post, a picture
beside a post in no folder of its own) builds for every audience with no broken link, every
link leading where the editor's preview leads, and nothing withheld published. A relative
path to nothing, or to what the build withholds, is an error on its line in build and check.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from PIL import Image
from tests.conftest import NOW, MakeSite, post
from tests.photos import has_location_or_serial, noisy_photo, phone_photo

from journeyblog.cli import cli

SERIES_DIR = "content/posts/cloud"


def _png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)


def _pixels(path: Path) -> tuple[tuple[int, int], bytes]:
    """A picture as it shows: a published copy is saved anew, without its metadata."""
    with Image.open(path) as picture:
        return picture.size, picture.convert("RGB").tobytes()


def _editor_site(make_site: MakeSite) -> Path:
    site = make_site(
        {
            f"{SERIES_DIR}/01-where-we-started.md": post(
                "Where we started",
                series="cloud",
                part=1,
                body="""\
                Next: [part 2](02-weighing-the-options.md),
                [the same](./02-weighing-the-options.md),
                [its costs](02-weighing-the-options.md#the-costs), [part 3](03-identity/index.md),
                [part 3 again](03-identity/), [about us](../../pages/about.md#who-we-are),
                [a note](<../notes/a short note.md>).

                ![The city map](../../images/map.png "Our city")

                ![Beside me](chart.png)
                """,
            ),
            f"{SERIES_DIR}/02-weighing-the-options.md": post(
                "Weighing the options",
                date="2016-01-08",
                series="cloud",
                part=2,
                body="""\
                Back to [part 1](01-where-we-started.md).

                ## The costs

                ![Shared](../../images/shared.png)
                """,
            ),
            f"{SERIES_DIR}/03-identity/index.md": post(
                "Identity",
                date="2016-01-15",
                series="cloud",
                part=3,
                body="""\
                ![The plan](plan.png) and ![deeper](diagrams/flow.png)

                Back to [the start](../01-where-we-started.md).
                """,
            ),
            f"{SERIES_DIR}/04-internal/index.md": post(
                "Quokka budget lines",
                date="2016-01-22",
                series="cloud",
                part=4,
                security="Internal",
                body="![Shared](../../../images/shared.png) ![Own](quokka-plan.png)\n",
            ),
            "content/posts/notes/a short note.md": post("A short note", date="2016-02-01"),
            "content/pages/about.md": "---\ntitle: About\n---\n\n## Who we are\n\nA team.\n",
        }
    )
    _png(site / "content/images/map.png", (200, 0, 0))
    _png(site / "content/images/shared.png", (0, 200, 0))
    _png(site / SERIES_DIR / "chart.png", (0, 0, 200))
    _png(site / SERIES_DIR / "03-identity/plan.png", (200, 200, 0))
    _png(site / SERIES_DIR / "03-identity/diagrams/flow.png", (0, 200, 200))
    _png(site / SERIES_DIR / "04-internal/quokka-plan.png", (90, 10, 90))
    return site


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--now", NOW.isoformat()])
    return result.exit_code, result.output


_URL = re.compile(r'\s(?:href|src)="([^"]*)"|\ssrcset="([^"]*)"')


def _local_urls(page: str) -> list[str]:
    urls = []
    for href, srcset in _URL.findall(page):
        found = [href] if href else [part.split()[0] for part in srcset.split(",")]
        urls += [html.unescape(url) for url in found if url]
    return [u for u in urls if u.startswith("/") and not u.startswith("//")]


def broken_links(out: Path) -> list[tuple[str, str]]:
    """(page, URL) of every link or picture of a built page that leads to no file."""
    broken = []
    for page in sorted(out.rglob("*.html")):
        for url in _local_urls(page.read_text(encoding="utf-8")):
            path = unquote(urlsplit(url).path).lstrip("/")
            target = out / path
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((page.relative_to(out).as_posix(), url))
    return broken


def _links_of(page: Path) -> dict[str, str]:
    """Link text -> href, and alt text -> src, of a post's body."""
    text = page.read_text(encoding="utf-8")
    found = {m[2]: html.unescape(m[1]) for m in re.finditer(r'<a href="([^"]*)">([^<]*)</a>', text)}
    found.update(
        {
            m[2]: html.unescape(m[1])
            for m in re.finditer(r'<img src="([^"]*)"[^>]*? alt="([^"]*)"', text)
        }
    )
    return found


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_links_and_pictures_lead_where_the_editor_shows_them(
    make_site: MakeSite, audience: str
) -> None:
    site = _editor_site(make_site)
    code, output = _cli("build", str(site), "--audience", audience)
    assert code == 0, output
    out = site / "output"
    first = _links_of(out / "posts/where-we-started/index.html")
    assert first["part 2"] == "/posts/weighing-the-options/"
    assert first["the same"] == "/posts/weighing-the-options/"
    assert first["its costs"] == "/posts/weighing-the-options/#the-costs"
    assert first["part 3"] == first["part 3 again"] == "/posts/identity/"
    assert first["about us"] == "/about/#who-we-are"
    assert first["a note"] == "/posts/a-short-note/"
    assert first["The city map"] == "/images/map.png"
    beside = first["Beside me"]
    assert _pixels(out / beside.lstrip("/")) == _pixels(site / SERIES_DIR / "chart.png")
    identity = _links_of(out / "posts/identity/index.html")
    # A post in a folder of its own is named by the folder, its pictures published beside it.
    assert identity["The plan"] == "/posts/identity/plan.png"
    assert identity["deeper"] == "/posts/identity/diagrams/flow.png"
    assert identity["the start"] == "/posts/where-we-started/"
    assert (out / "posts/identity/plan.png").is_file()
    # The anchor a link keeps is a heading of the page it leads to.
    costs = (out / "posts/weighing-the-options/index.html").read_text(encoding="utf-8")
    assert 'id="the-costs"' in costs
    # The picture a public and an internal post share is published for both audiences.
    assert (out / "images/shared.png").is_file()
    assert broken_links(out) == []
    internal_plan = (site / SERIES_DIR / "04-internal/quokka-plan.png").read_bytes()
    published = [p for p in out.rglob("*") if p.is_file()]
    if audience == "public":
        assert not any("quokka" in p.as_posix() for p in published)
        assert all(p.read_bytes() != internal_plan for p in published)
    else:
        plan = site / SERIES_DIR / "04-internal/quokka-plan.png"
        assert _pixels(out / "posts/internal/quokka-plan.png") == _pixels(plan)


def test_every_relative_link_of_the_sources_names_a_file_the_editor_opens(
    make_site: MakeSite,
) -> None:
    """What VS Code and GitHub preview: each relative path is a file from its source."""
    site = _editor_site(make_site)
    for source in (site / "content").rglob("*.md"):
        for target in re.findall(
            r"\]\(<?([^)>\s]+(?: [^)>\"]+)?)>?(?: \"[^\"]*\")?\)", source.read_text()
        ):
            path = unquote(target.split("#", 1)[0])
            if path.startswith(("/", "http")):
                continue
            assert (source.parent / path).exists(), (source, target)


@pytest.mark.parametrize(
    ("body", "written"),
    [
        ("See [part 9](09-nothing.md).", "09-nothing.md"),
        ("See [it](../nowhere/index.md#top).", "../nowhere/index.md#top"),
        ("![Gone](missing.png)", "missing.png"),
        ("![Gone](../../images/missing.png)", "../../images/missing.png"),
        ("See [the folder](no-such-folder/).", "no-such-folder/"),
        ("See [outside](../../../journeyblog.toml).", "../../../journeyblog.toml"),
    ],
)
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_relative_path_to_nothing_is_an_error_on_its_line(
    make_site: MakeSite, body: str, written: str, command: str
) -> None:
    site = _editor_site(make_site)
    text = post("Broken", date="2016-03-01", body=f"First.\n\n{body}\n")
    (site / SERIES_DIR / "05-broken.md").write_text(text, encoding="utf-8")
    line = text.splitlines().index(body) + 1
    code, output = _cli(command, str(site))
    assert code == 1, output
    assert f"05-broken.md:{line}: " in output
    assert written in output
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    "body",
    [
        "See [the budget](04-internal/index.md).",
        "See [the budget](04-internal/).",
        "![Plan](04-internal/quokka-plan.png)",
    ],
)
def test_a_relative_path_to_what_is_withheld_is_an_error(make_site: MakeSite, body: str) -> None:
    site = _editor_site(make_site)
    text = post("Leaky", date="2016-03-01", body=f"First.\n\n{body}\n")
    (site / SERIES_DIR / "05-leaky.md").write_text(text, encoding="utf-8")
    code, output = _cli("build", str(site), "--audience", "public")
    assert code == 1, output
    assert f"05-leaky.md:{text.splitlines().index(body) + 1}: " in output
    assert "withholds" in output
    assert not (site / "output").exists()
    code, output = _cli("build", str(site), "--audience", "internal")
    assert code == 0, output
    assert broken_links(site / "output") == []


def test_a_site_under_a_sub_path_keeps_it(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    code, output = _cli("build", str(site), "--base-url", "https://example.gov.uk/notes/")
    assert code == 0, output
    first = _links_of(site / "output/posts/where-we-started/index.html")
    assert first["part 2"] == "/notes/posts/weighing-the-options/"
    assert first["The city map"] == "/notes/images/map.png"
    identity = _links_of(site / "output/posts/identity/index.html")
    assert identity["The plan"] == "/notes/posts/identity/plan.png"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_a_site_written_in_an_editor_publishes_every_picture_sized_and_nothing_withheld(
    make_site: MakeSite, audience: str
) -> None:
    """Relative links in every form, posts in folders of their own, a phone's photo with
    its location, a panorama, a picture a public and an internal post share: for each
    audience, no broken link, every picture sized and lazy but the first, no location in any
    published file, and the audit passes."""
    site = _editor_site(make_site)
    phone_photo(site / SERIES_DIR / "03-identity/from-my-phone.jpg", size=(2400, 1800))
    noisy_photo(site / "content/images/panorama.jpg", (9000, 1500), quality=80)
    index = site / SERIES_DIR / "03-identity/index.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        + '\n![The office roof](from-my-phone.jpg "Taken on the day")\n\n'
        + "![The whole city](../../../images/panorama.jpg)\n",
        encoding="utf-8",
    )
    code, output = _cli("build", str(site), "--audience", audience)
    assert code == 0, output
    out = site / "output"
    assert broken_links(out) == []
    for page in out.rglob("*.html"):
        pictures = re.findall(r"<img\s[^>]*>", page.read_text(encoding="utf-8"))
        local = [tag for tag in pictures if re.search(r'\ssrc="/(?!/)', tag)]
        for number, tag in enumerate(local):
            assert re.search(r'\swidth="\d+" height="\d+"', tag), (page, tag)
            first = pictures.index(tag) == 0 and number == 0
            assert ('loading="lazy"' in tag) is not first, (page, tag)
    identity = (out / "posts/identity/index.html").read_text(encoding="utf-8")
    assert "<figcaption>Taken on the day</figcaption>" in identity
    for path in out.rglob("*"):
        if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
            assert not has_location_or_serial(path.read_bytes()), path
            with Image.open(path) as picture:
                assert picture.width <= 2400, path
    code, output = _cli("audit", str(site), "--audience", audience)
    assert code == 0, output


def test_a_lead_picture_beside_the_post_is_published_and_previewed(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    noisy_photo(site / SERIES_DIR / "03-identity/cover.jpg", (3000, 2000), quality=70)
    index = site / SERIES_DIR / "03-identity/index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("part: 3\n", "part: 3\nimage: cover.jpg\n"),
        encoding="utf-8",
    )
    code, output = _cli("build", str(site))
    assert code == 0, output
    out = site / "output"
    page = (out / "posts/identity/index.html").read_text(encoding="utf-8")
    [preview] = re.findall(r'<meta property="og:image" content="([^"]*)">', page)
    assert preview == "https://blog.test.example/posts/identity/cover.1200w.jpg"
    with Image.open(out / "posts/identity/cover.1200w.jpg") as picture:
        assert picture.size == (1200, 800)
    assert (out / "posts/identity/cover.jpg").is_file()
    assert broken_links(out) == []


def test_a_lead_picture_that_is_nowhere_is_an_error_on_its_line(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    index = site / SERIES_DIR / "03-identity/index.md"
    text = index.read_text(encoding="utf-8").replace("part: 3\n", "part: 3\nimage: cober.jpg\n")
    index.write_text(text, encoding="utf-8")
    code, output = _cli("build", str(site))
    assert code == 1
    assert f"index.md:{text.splitlines().index('image: cober.jpg') + 1}: " in output
    assert "cober.jpg" in output


def test_with_raw_html_its_links_and_pictures_are_resolved_too(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    config = site / "journeyblog.toml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_raw_html = true\n")
    text = post(
        "Raw",
        date="2016-03-01",
        body='<p><a href="02-weighing-the-options.md">raw link</a></p>\n\n'
        '<figure><img src="chart.png" alt="raw picture"></figure>\n',
    )
    (site / SERIES_DIR / "05-raw.md").write_text(text, encoding="utf-8")
    code, output = _cli("build", str(site))
    assert code == 0, output
    page = (site / "output/posts/05-raw/index.html").read_text(encoding="utf-8")
    assert '<a href="/posts/weighing-the-options/">raw link</a>' in page
    assert broken_links(site / "output") == []
    (site / SERIES_DIR / "05-raw.md").write_text(
        text.replace("02-weighing-the-options.md", "02-nothing.md"), encoding="utf-8"
    )
    code, output = _cli("build", str(site))
    assert code == 1
    assert "05-raw.md:" in output and "02-nothing.md" in output


def _raw_site(make_site: MakeSite) -> Path:
    site = _editor_site(make_site)
    config = site / "journeyblog.toml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_raw_html = true\n")
    return site


def test_with_raw_html_a_picture_only_a_withheld_text_shows_is_not_published(
    make_site: MakeSite,
) -> None:
    site = _raw_site(make_site)
    _png(site / "content/images/quokka map.png", (1, 2, 3))
    _png(site / "content/images/quokka-other.png", (4, 5, 6))
    (site / SERIES_DIR / "06-secret.md").write_text(
        post(
            "Secret",
            date="2016-03-01",
            security="Internal",
            body='<img src="../../images/quokka%20map.png" alt="s">\n\n'
            "<IMG SRC='../../images/./quokka-other.png' alt='o'>\n",
        ),
        encoding="utf-8",
    )
    code, output = _cli("build", str(site), "--audience", "public")
    assert code == 0, output
    assert not any("quokka" in p.name for p in (site / "output").rglob("*"))
    code, output = _cli("audit", str(site), "--audience", "public")
    assert code == 0, output


@pytest.mark.parametrize(
    "html",
    [
        "<a href='04-internal/index.md'>the plan</a>",
        '<A HREF="04-internal/">this</A>',
        "<a href=04-internal/index.md>bare</a>",
    ],
)
def test_with_raw_html_a_link_to_what_is_withheld_in_any_form_is_an_error(
    make_site: MakeSite, html: str
) -> None:
    site = _raw_site(make_site)
    text = post("Raw", date="2016-03-01", body=f"<p>See {html}.</p>\n")
    (site / SERIES_DIR / "05-raw.md").write_text(text, encoding="utf-8")
    code, output = _cli("build", str(site), "--audience", "public")
    assert code == 1, output
    assert "05-raw.md:" in output and "withholds" in output


def test_with_raw_html_a_picture_in_a_comment_is_not_looked_for(make_site: MakeSite) -> None:
    site = _raw_site(make_site)
    text = post(
        "Raw", date="2016-03-01", body='First.\n\n<!-- old: <img src="gone.png" alt=""> -->\n'
    )
    (site / SERIES_DIR / "05-raw.md").write_text(text, encoding="utf-8")
    code, output = _cli("build", str(site))
    assert code == 0, output


def test_a_file_of_a_published_folder_a_withheld_post_links_to_is_published(
    make_site: MakeSite,
) -> None:
    site = _editor_site(make_site)
    (site / SERIES_DIR / "03-identity/report.pdf").write_bytes(b"%PDF-1.4 report")
    index = site / SERIES_DIR / "03-identity/index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\nThe [report](report.pdf).\n", encoding="utf-8"
    )
    internal = site / SERIES_DIR / "04-internal/index.md"
    internal.write_text(
        internal.read_text(encoding="utf-8") + "\nSee [it](../03-identity/report.pdf).\n",
        encoding="utf-8",
    )
    code, output = _cli("build", str(site), "--audience", "public")
    assert code == 0, output
    assert (site / "output/posts/identity/report.pdf").read_bytes() == b"%PDF-1.4 report"


def test_a_picture_written_with_a_query_is_still_sized(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    first = site / SERIES_DIR / "01-where-we-started.md"
    first.write_text(
        first.read_text(encoding="utf-8").replace(
            "(../../images/map.png", "(../../images/map.png?v=2"
        ),
        encoding="utf-8",
    )
    code, output = _cli("build", str(site))
    assert code == 0, output
    page = (site / "output/posts/where-we-started/index.html").read_text(encoding="utf-8")
    [tag] = re.findall(r'<img src="/images/map.png\?v=2"[^>]*>', page)
    assert 'width="64" height="48"' in tag


def test_a_picture_no_page_shows_is_not_judged(make_site: MakeSite) -> None:
    site = _editor_site(make_site)
    notes = site / "content/notes"
    notes.mkdir(parents=True)
    (notes / "IMG_0001.heic").write_bytes(b"\x00\x00\x00\x18ftypheic" + b"Exif\x00\x00MM" * 8)
    code, output = _cli("build", str(site))
    assert code == 0, output
    assert not any(p.suffix == ".heic" for p in (site / "output").rglob("*"))
