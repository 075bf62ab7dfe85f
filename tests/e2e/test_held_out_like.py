"""Sites an author could hand us, in the documented format, read back as a reader would."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
from bs4 import BeautifulSoup, Tag
from tests.conftest import AUTHORS, MakeSite, post

from journeyblog.build import BuildResult

Build = Callable[..., BuildResult]

GAP_SERIES = """\
gap:
  title: Gaps & Bridges
  description: A series whose part 3 was never written.
"""
PLANNED_SERIES = """\
cloud:
  title: Journey to the Cloud
  planned: 5
"""


def _soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def _text(element: Tag | None) -> str:
    assert element is not None
    return " ".join(element.get_text(" ", strip=True).split())


def _parts(soup: BeautifulSoup) -> list[Tag]:
    return soup.select(".series-block ol > li")


def _gap_site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/series.yml": GAP_SERIES,
            "content/posts/gap/01-one.md": post("One", date="2016-01-01", series="gap", part=1),
            "content/posts/gap/02-two.md": post("Two", date="2016-02-01", series="gap", part=2),
            "content/posts/gap/04-four.md": post("Four", date="2016-04-01", series="gap", part=4),
        }
    )


def test_a_gap_is_rendered_in_order_without_inventing_the_missing_part(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_site(_gap_site(make_site), out_dir=out)
    four = _soup(out, "posts/four/index.html")
    block = four.select_one(".series-block")
    assert block is not None
    assert "Gaps & Bridges Part 4 of 4" in _text(block)
    items = _parts(four)
    assert [_text(li.select_one(".part-number")) for li in items] == ["Part 1", "Part 2", "Part 4"]
    assert [li.get("aria-current") for li in items] == [None, None, "page"]
    previous = block.select_one('a[rel="prev"]')
    assert previous is not None and previous["href"] == "/posts/two/"
    assert block.select_one('a[rel="next"]') is None

    two = _soup(out, "posts/two/index.html")
    following = two.select_one('.series-block a[rel="next"]')
    assert following is not None and following["href"] == "/posts/four/"
    assert "Part 2 of 4" in _text(two.select_one(".series-block"))

    landing = _soup(out, "series/gap/index.html")
    assert [a.get_text() for a in landing.select("main ol a")] == ["One", "Two", "Four"]
    for page in out.rglob("*.html"):
        assert "Part 3" not in page.read_text(encoding="utf-8"), page


def test_planned_parts_are_plain_text_coming_soon(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    site = make_site(
        {
            "content/series.yml": PLANNED_SERIES,
            "content/posts/cloud/01-a.md": post("A", date="2016-01-01", series="cloud", part=1),
            "content/posts/cloud/02-b.md": post("B", date="2016-02-01", series="cloud", part=2),
            "content/posts/cloud/03-c.md": post("C", date="2016-03-01", series="cloud", part=3),
        }
    )
    out = tmp_path / "out"
    build_site(site, out_dir=out)
    soup = _soup(out, "posts/a/index.html")
    assert "Journey to the Cloud Part 1 of 5" in _text(soup.select_one(".series-block"))
    items = _parts(soup)
    assert len(items) == 5
    for number, item in zip((4, 5), items[3:], strict=True):
        assert item.find("a") is None
        text = _text(item)
        assert text.startswith(f"Part {number}") and "coming soon" in text.lower(), text
    three = _soup(out, "posts/c/index.html")
    assert three.select_one('.series-block a[rel="next"]') is None


TITLE = "Cloud & “Data” – café \"quoted\" 'single' 🚀 <b>not bold</b>"  # noqa: RUF001


def _unicode_site(make_site: MakeSite) -> Path:
    front = (
        f"---\ntitle: {json.dumps(TITLE, ensure_ascii=False)}\ndate: 2016-05-01\n"
        "author: ann\nsecurity: Public\n"
    )
    return make_site(
        {
            "content/posts/tricky.md": front + "---\n\nÉté & hiver, naïve “quotes”.\n",
            "content/posts/cloud/01-part.md": front
            + "series: cloud\npart: 1\n---\n\nThe part's body.\n",
        }
    )


def test_tricky_titles_are_shown_as_written_on_every_page(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_site(_unicode_site(make_site), out_dir=out)
    page = _soup(out, "posts/tricky/index.html")
    assert page.h1 is not None and page.h1.get_text() == TITLE
    assert page.title is not None and page.title.get_text().startswith(TITLE)
    og = page.find("meta", property="og:title")
    assert og is not None and og["content"] == TITLE
    assert "Été & hiver, naïve “quotes”." in page.get_text()
    part = _soup(out, "posts/part/index.html")
    current = part.select_one('.series-block [aria-current="page"]')
    assert current is not None and TITLE in current.get_text()
    home = _soup(out, "index.html")
    assert [a.get_text() for a in home.select(".post-card-title a")] == [TITLE, TITLE]
    for path in out.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert soup.find("b") is None, path  # the title's markup is text, never markup
    raw = (out / "posts/tricky/index.html").read_text(encoding="utf-8")
    assert "Cloud &amp; “Data”" in raw
    assert "Cloud & “Data”" not in raw
    assert "<b>not bold</b>" not in raw


def test_tricky_titles_round_trip_through_the_feeds(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_site(_unicode_site(make_site), out_dir=out)
    for name in ("feed.xml", "rss.xml", "series/cloud/feed.xml", "series/cloud/rss.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            assert entry.title in (TITLE, f"Journey to the Cloud, part 1: {TITLE}"), (
                name,
                entry.title,
            )
            assert "O'Reilly" in entry.author
    titles = [item["title"] for item in json.loads((out / "feed.json").read_bytes())["items"]]
    assert sorted(titles) == sorted([TITLE, f"Journey to the Cloud, part 1: {TITLE}"])


def test_an_apostrophe_in_a_name_is_shown_correctly(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    site = make_site({"content/posts/x.md": post("Ann's first post")})
    out = tmp_path / "out"
    build_site(site, out_dir=out)
    soup = _soup(out, "posts/x/index.html")
    assert soup.h1 is not None and soup.h1.get_text() == "Ann's first post"
    block = soup.select_one(".author-block")
    assert "Ann O'Reilly" in _text(block)
    assert "Director of Information Systems" in _text(block)
    assert "Northbridge City Council" in _text(block)
    assert _text(_soup(out, "authors/ann/index.html").h1) == "Ann O'Reilly"


def test_crlf_line_endings_and_a_bom_are_accepted(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    text = post("Windows & friends", series="cloud", part=1, body="Line one.\nLine two.\n\nNext.\n")
    site = make_site({})
    windows = {
        "content/posts/cloud/01-win.md": text,
        "content/authors.yml": AUTHORS,
        "content/series.yml": PLANNED_SERIES,
    }
    for relative, content in windows.items():
        data = "\ufeff" + content.replace("\n", "\r\n")
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_bytes(data.encode("utf-8"))
    config = site / "journeyblog.toml"
    config.write_bytes(
        ("\ufeff" + config.read_text(encoding="utf-8")).replace("\n", "\r\n").encode()
    )
    out = tmp_path / "out"
    build_site(site, out_dir=out)
    soup = _soup(out, "posts/win/index.html")
    assert soup.h1 is not None and soup.h1.get_text() == "Windows & friends"
    paragraphs = [p.get_text() for p in soup.select(".e-content p")]
    assert paragraphs[:2] == ["Line one.\nLine two.", "Next."]
    assert "\r" not in (out / "posts/win/index.html").read_text(encoding="utf-8")
    assert "\ufeff" not in (out / "posts/win/index.html").read_text(encoding="utf-8")
    assert "Journey to the Cloud Part 1 of 5" in _text(soup.select_one(".series-block"))


MARKDOWN = """\
Intro with a footnote[^cost].

## Why we moved

| Service | Moved |
|---------|-------|
| Email   | 2016  |

Tenancy
: A cloud account for the whole council.

- [x] Email
- [ ] Finance

```python
def migrate(service):
    return "cloud"
```

[^cost]: Against the 2015 budget.
"""


def test_markdown_features_appear_in_the_post(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_site(make_site({"content/posts/md.md": post("Markdown", body=MARKDOWN)}), out_dir=out)
    body = _soup(out, "posts/md/index.html").select_one(".e-content")
    assert body is not None
    assert [td.get_text() for td in body.select("table td")] == ["Email", "2016"]
    heading = body.find("h2", string="Why we moved")
    assert heading is not None and heading.get("id")
    ref = body.select_one("sup a[href^='#']")
    assert ref is not None
    note = body.find(id=str(ref["href"])[1:])
    assert note is not None and "Against the 2015 budget." in note.get_text()
    assert [_text(dt) for dt in body.select("dl dt")] == ["Tenancy"]
    boxes = body.select("input[type=checkbox]")
    assert [box.has_attr("checked") for box in boxes] == [True, False]
    code = body.select_one("pre code")
    assert code is not None
    assert code.get_text() == 'def migrate(service):\n    return "cloud"\n'
    assert code.find("span", class_="k") is not None
    css = (out / "assets/code.css").read_text(encoding="utf-8")
    assert re.search(r"\.prose pre \.k[\s,{]", css)  # the theme colours what Pygments marked


SCRIPT = "Before.\n\n<script>alert('x')</script>\n\nInline <script>alert(2)</script> too.\n"


def test_raw_script_is_escaped_unless_the_site_opts_in(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    site = make_site({"content/posts/s.md": post("Script", body=SCRIPT)})
    out = tmp_path / "out"
    build_site(site, out_dir=out)
    body = _soup(out, "posts/s/index.html").select_one("article")
    assert body is not None
    assert body.find("script") is None
    assert "<script>alert('x')</script>" in body.get_text()

    config = site / "journeyblog.toml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_raw_html = true\n", "utf-8")
    opted = tmp_path / "opted"
    build_site(site, out_dir=opted)
    body = _soup(opted, "posts/s/index.html").select_one("article")
    assert body is not None
    assert [script.get_text() for script in body.find_all("script")] == ["alert('x')", "alert(2)"]


def _internal_urls(soup: BeautifulSoup) -> Iterator[str]:
    for tag, attribute in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if not isinstance(value, str):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("#"):
                continue
            yield value


def test_a_site_under_a_sub_folder_links_only_inside_it(
    make_site: MakeSite, build_site: Build, tmp_path: Path
) -> None:
    body = (
        "See [part two](/posts/two/), the [series](/series/gap/) and ![a map](/images/map.png).\n"
    )
    site = _gap_site(make_site)
    (site / "content/posts/gap/01-one.md").write_text(
        post("One", series="gap", part=1, tags=["Cloud Data"], body=body, image="/images/map.png"),
        encoding="utf-8",
    )
    (site / "content/pages").mkdir(parents=True)
    (site / "content/pages/about.md").write_text("---\ntitle: About\n---\nUs.\n", "utf-8")
    (site / "content/images").mkdir()
    (site / "content/images/map.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "journeyblog.toml").write_text(
        'title = "Sub"\nbase_url = "https://example.org/blog/"\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    build_site(site, out_dir=out)
    checked = 0
    for page in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for url in _internal_urls(soup):
            assert url.startswith("/blog/"), (page, url)
            path = unquote(urlsplit(url).path).removeprefix("/blog/")
            target = out / path / "index.html" if path == "" or path.endswith("/") else out / path
            assert target.is_file(), (page, url)
            checked += 1
    assert checked > 100
    one = _soup(out, "posts/one/index.html")
    img = one.select_one(".e-content img")
    assert img is not None and img["src"] == "/blog/images/map.png"
