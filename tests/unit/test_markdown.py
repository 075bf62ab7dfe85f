"""markdown.py: Markdown text -> Rendered (HTML, table of contents, words, first paragraph)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from journeyblog.markdown import plain_text, pygments_css, render_markdown
from journeyblog.model import Heading
from journeyblog.rendered import Rendered


def _soup(rendered: Rendered) -> BeautifulSoup:
    return BeautifulSoup(str(rendered.html), "html.parser")


def test_table() -> None:
    soup = _soup(render_markdown("| Service | Status |\n|---|---|\n| Email | Moved |\n"))
    table = soup.find("table")
    assert table is not None
    assert [th.get_text() for th in table.find_all("th")] == ["Service", "Status"]
    assert [td.get_text() for td in table.find_all("td")] == ["Email", "Moved"]


def test_footnote_links_to_its_note_and_back() -> None:
    soup = _soup(render_markdown("Saved money[^1].\n\n[^1]: Compared with 2015.\n"))
    ref = soup.select_one("sup.footnote-ref a")
    assert ref is not None
    note = soup.find(id=str(ref["href"]).lstrip("#"))
    assert note is not None
    assert "Compared with 2015." in note.get_text()
    back = note.find("a", href=f"#{ref['id']}")
    assert back is not None


def test_headings_get_ids_and_the_toc_lists_h2_and_h3() -> None:
    text = "# Top\n\n## Why we moved\n\n### Cost & risk\n\n#### Detail\n\n## Why we moved\n"
    rendered = render_markdown(text)
    soup = _soup(rendered)
    ids = [str(h["id"]) for h in soup.find_all(["h2", "h3", "h4"])]
    assert len(ids) == len(set(ids)) == 4
    assert rendered.toc == (
        Heading(level=2, id=ids[0], text="Why we moved"),
        Heading(level=3, id=ids[1], text="Cost & risk"),
        Heading(level=2, id=ids[3], text="Why we moved"),
    )
    assert ids[0] == "why-we-moved"


def test_definition_list() -> None:
    soup = _soup(render_markdown("SaaS\n: Software as a service.\n"))
    assert [dt.get_text() for dt in soup.select("dl dt")] == ["SaaS"]
    assert [dd.get_text() for dd in soup.select("dl dd")] == ["Software as a service."]


def test_task_list_is_checkboxes_that_cannot_be_changed() -> None:
    soup = _soup(render_markdown("- [x] Email\n- [ ] Finance\n"))
    boxes = soup.select("li input[type=checkbox]")
    assert [box.has_attr("checked") for box in boxes] == [True, False]
    assert all(box.has_attr("disabled") for box in boxes)
    assert [li.get_text(strip=True) for li in soup.select("li")] == ["Email", "Finance"]


def test_fenced_code_is_highlighted_with_pygments_spans() -> None:
    soup = _soup(render_markdown('```python\ndef move(x):\n    return "cloud"\n```\n'))
    code = soup.select_one("pre code")
    assert code is not None
    assert code.get_text() == 'def move(x):\n    return "cloud"\n'
    assert code.find("span", class_="k") is not None  # the keyword "def"
    assert code.find("span", class_="s2") is not None  # the string
    css = pygments_css(".prose pre")
    assert ".prose pre .k {" in css  # the theme can colour what Pygments marked
    assert "@media (prefers-color-scheme: dark)" in css


def test_code_in_an_unknown_language_is_shown_plain_and_escaped() -> None:
    soup = _soup(render_markdown("```nosuchlanguage\na < b && c\n```\n"))
    code = soup.select_one("pre code")
    assert code is not None
    assert code.get_text() == "a < b && c\n"
    assert code.find("span") is None


def test_raw_html_is_escaped_by_default() -> None:
    text = "Hello <script>alert(1)</script>\n\n<div onclick='x()'>block</div>\n"
    rendered = render_markdown(text)
    soup = _soup(rendered)
    assert soup.find("script") is None
    assert soup.find("div") is None
    assert "<script>alert(1)</script>" in soup.get_text()


def test_raw_html_passes_when_the_site_opts_in() -> None:
    soup = _soup(render_markdown("<div class='map'>Map</div>\n", allow_raw_html=True))
    div = soup.find("div", class_="map")
    assert div is not None and div.get_text() == "Map"


def test_javascript_links_are_not_links() -> None:
    soup = _soup(render_markdown("[click](javascript:alert(1))\n"))
    assert soup.find("a") is None


def test_root_relative_urls_get_the_base_path() -> None:
    text = (
        "[post](/posts/one/) [ext](https://example.com/x) [cdn](//cdn.example/x) "
        "[rel](other/) [frag](#top)\n\n![Map](/images/map.png)\n"
    )
    rendered = render_markdown(text, base_path="/blog/")
    soup = _soup(rendered)
    assert [a["href"] for a in soup.find_all("a")] == [
        "/blog/posts/one/",
        "https://example.com/x",
        "//cdn.example/x",
        "other/",
        "#top",
    ]
    img = soup.find("img")
    assert img is not None
    assert img["src"] == "/blog/images/map.png"
    assert img["alt"] == "Map"
    assert rendered.images == ("/blog/images/map.png",)
    assert rendered.links[0] == "/blog/posts/one/"


def test_root_base_path_leaves_urls_alone() -> None:
    soup = _soup(render_markdown("[post](/posts/one/)\n"))
    a = soup.find("a")
    assert a is not None and a["href"] == "/posts/one/"


def test_first_paragraph_is_plain_text_of_the_top_level_paragraph() -> None:
    text = (
        "## Heading\n\n> A quote first.\n\n"
        "We moved **email** to [the cloud](/x) in `2016` & it worked.\nNext line.\n"
    )
    rendered = render_markdown(text)
    assert rendered.first_paragraph == "We moved email to the cloud in 2016 & it worked. Next line."


def test_first_paragraph_keeps_code_text_as_written() -> None:
    # The body shows `&lt;div&gt;` literally, so the summary must say the same.
    rendered = render_markdown("Avoid `&lt;div&gt;` soup.\n")
    soup = _soup(rendered)
    assert soup.get_text().strip() == "Avoid &lt;div&gt; soup."
    assert rendered.first_paragraph == "Avoid &lt;div&gt; soup."


def test_words_count_the_text() -> None:
    assert render_markdown("one two three\n\nfour five\n").words == 5
    assert render_markdown("").words == 0


def test_plain_text_of_inline_markdown() -> None:
    assert plain_text("**Bold** move to the _cloud_") == "Bold move to the cloud"
    assert plain_text("Fish &amp; chips") == "Fish & chips"
    assert plain_text("Use `&amp;` in HTML") == "Use &amp; in HTML"
    assert plain_text("") == ""


def test_the_documented_example() -> None:
    rendered = render_markdown("## Hello\n\n![A map](/images/m.png)", base_path="/blog/")
    assert str(rendered.html) == (
        '<h2 id="hello">Hello</h2>\n<p><img src="/blog/images/m.png" alt="A map"></p>\n'
    )
