"""markdown_fast.py: markdown-it-pyrs for most posts, markdown.py's markdown-it-py for the rest.

A body `fast_renders` accepts must come out of `render_fast` (unless it declines, seeing
emphasis it may have paired apart) exactly as markdown-it-py (`_render_python`) renders it:
the same HTML, table of contents, first paragraph, images, links and search words, under any
base path. The judge is markdown-it-py itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeyblog.markdown_fast as markdown_fast
from journeyblog.markdown import _render_python, render_markdown
from journeyblog.markdown_fast import fast_renders, render_fast
from journeyblog.rendered import Rendered
from journeyblog.sources import parse_source

EXAMPLE_CONTENT = Path(__file__).resolve().parents[2] / "content"


def _parts(rendered: Rendered) -> tuple[object, ...]:
    return (
        str(rendered.html),
        rendered.search_words,
        rendered.toc,
        rendered.words,
        rendered.first_paragraph,
        rendered.images,
        rendered.links,
    )


def _assert_same(text: str, base_path: str, *, may_decline: bool = False) -> None:
    """`render_fast` renders `text` as markdown-it-py does (or, if it may, declines to)."""
    fast = render_fast(text, base_path)
    if fast is None and may_decline:
        return
    assert fast is not None, text
    python = _render_python(text, base_path=base_path, allow_raw_html=False)
    assert _parts(fast) == _parts(python), text


# Every construct the posts of our users (and the bench corpus) are made of.
POST = """\
Our council moved *email* first, then **finance**, with `rsync -a` and [the plan](/docs/plan/).
It took ~~two~~ three years; see <https://example.org/report> and [a guide](https://x.org/a?b=1&c=2).

## Why we moved: cost & risk

Text with an image ![The timeline](/images/timeline.png "Our timeline") and a
soft break.

A hard break\\
here. Entities: &copy; &amp; &#35; "quotes" and 'apostrophes'.

### The `kubectl` step

1. Inventory every server
2. Move the *small* ones
   - nested item with [a link](/posts/other/)
   - another

- loose item

- second loose item

> A quote from the board, with **emphasis**
> and a second line.

| Service | Status | Cost |
|:--------|:------:|-----:|
| Email | Moved | £10 |
| Finance | Planned | `n/a` |

```python
def load(path: Path) -> list[dict]:
    return [row for row in rows if row["status"] != "retired"]
```

```yaml
backup:
  nightly: true
```

```
plain fence
```

    indented code <kept>

Setext heading
--------------

## Why we moved: cost & risk

#### A fourth level

---

Last paragraph with a [reference link][ref].

[ref]: https://example.org/ref "Reference"
"""


@pytest.mark.parametrize("base_path", ["/", "/blog/"])
def test_a_post_of_every_construct_renders_alike(base_path: str) -> None:
    assert fast_renders(POST)
    _assert_same(POST, base_path)
    rendered = render_markdown(POST, base_path=base_path)
    assert '<span class="k">def</span>' in str(rendered.html)  # highlighted
    assert [heading.id for heading in rendered.toc][:2] == [
        "why-we-moved-cost-risk",
        "the-kubectl-step",
    ]
    assert rendered.images == (f"{base_path}images/timeline.png",)


@pytest.mark.parametrize("path", sorted(EXAMPLE_CONTENT.rglob("*.md")), ids=lambda path: path.name)
@pytest.mark.parametrize("base_path", ["/", "/blog/"])
def test_the_example_site_renders_alike(path: Path, base_path: str) -> None:
    source, problem = parse_source(path, path.read_bytes(), "post")
    assert problem is None and source is not None
    if fast_renders(source.body):
        _assert_same(source.body, base_path, may_decline=True)


def test_most_of_the_example_site_takes_the_fast_renderer() -> None:
    bodies = [
        parse_source(path, path.read_bytes(), "post")[0] for path in EXAMPLE_CONTENT.rglob("*.md")
    ]
    assert sum(fast_renders(source.body) for source in bodies if source) >= len(bodies) // 2


@pytest.mark.parametrize(
    "text",
    [
        "Saved money[^1].\n\n[^1]: Compared with 2015.\n",  # footnote
        "Inline^[note] footnote.\n",
        "- [x] Email\n- [ ] Finance\n",  # task list
        "SaaS\n: Software as a service.\n",  # definition list
        "see [the `x flag\n",  # markdown-it-pyrs 0.4 panics on this
        "a\u00a0b\n",  # a no-break space
        "no line break at the end",
        "> quote\nlazy line\n",
        "| a |\n---\n",
        "![a &amp; b](/x.png)\n",
        "1. item\n   ```\n   code\n   ```\n",
        "*£*bravo.\n",  # a symbol is punctuation to markdown-it-py, not to markdown-it-pyrs
        '[a]: /u "x\n  y"\n\n[a]\n',  # a definition's title over two lines
        "[b]: /u\\\n\n[b]\n",
        "[foo][ref[bar]]\n\n[foo]: /u\n[bar]: /v\n",
        "[a]: /x\n\n[b](z  [[a]\n",  # no inline link: markdown-it-py reads on for a label
        "## a&#10;b\n",
        "![a![ b ](x)c](y)\n",
        "a` \n `b\n",
        ">> - \t)\n",
        "> | a |\n> ---\n",
        "- > a `b\n    c`\n",
        "[<ab:`>`\n",  # markdown-it-pyrs 0.4 panics on this
        "![b  \nc](/u)\n",
        "[b]: /u\\\t\n\n[b]\n",
    ],
)
def test_what_the_two_read_apart_takes_markdown_it_py(
    text: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert not fast_renders(text)
    assert _parts(render_markdown(text)) == _parts(
        _render_python(text, base_path="/", allow_raw_html=False)
    )
    assert "panicked" not in capfd.readouterr().err


@pytest.mark.parametrize("base_path", ["/", "/blog/"])
def test_an_image_s_description_is_its_own_words(base_path: str) -> None:
    text = "A![ map ](/m.png)b and ![two\nlines](/t.png).\n\n## x![ y ](/y.png)z\n"
    assert fast_renders(text)
    _assert_same(text, base_path)
    assert render_markdown(text).first_paragraph == "Amapb and two lines."


def test_raw_html_allowed_takes_markdown_it_py() -> None:
    rendered = render_markdown("<b>bold</b>\n", allow_raw_html=True)
    assert "<b>bold</b>" in str(rendered.html)
    assert "&lt;b&gt;" in str(render_markdown("<b>bold</b>\n").html)


def test_a_script_stays_text_and_a_javascript_link_is_no_link() -> None:
    text = "<script>alert(1)</script>\n\n[click](javascript:alert(1))\n"
    assert fast_renders(text)
    html = str(render_markdown(text).html)
    assert "<script>" not in html and 'href="javascript' not in html
    _assert_same(text, "/")


# Lines of realistic Markdown, put together in any order: the two must agree on each whole.
_LINES = [
    "",
    "",
    "## Heading *with* `code`",
    "### Heading & [link](/x/)",
    "A paragraph with *emphasis*, **strong**, `code` and [a link](https://example.org/a?b=1).",
    "A line with an image ![alt text](/images/a.png) and ~~struck~~ text.",
    "Second line of a paragraph, ending with a hard break\\",
    "- list item",
    "- list item with `code`",
    "1. first",
    "2. second",
    "   - nested",
    "> quoted *text*",
    "| a | b |",
    "|---|:-:|",
    "| 1 | 2 |",
    "```python",
    "x = [1, 2]",
    "```",
    "---",
    "    indented code",
    'Entities &copy; &amp; and "quotes".',
    "Setext",
    "===",
    "[ref]: https://example.org/ref",
    "See [ref] and [the report][ref].",
    "<https://example.org/auto>",
    "Émile's café, naïve.",
]


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.sampled_from(_LINES), min_size=1, max_size=25),
    base_path=st.sampled_from(["/", "/sub/"]),
)
def test_generated_posts_render_alike(lines: list[str], base_path: str) -> None:
    text = "\n".join(lines) + "\n"
    if fast_renders(text):
        _assert_same(text, base_path, may_decline=True)


def test_a_panic_not_foreseen_falls_back_to_markdown_it_py(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    text = "see [the `x flag\n"
    monkeypatch.setattr(markdown_fast, "fast_renders", lambda _text: True)
    rendered = render_markdown(text)
    assert _parts(rendered) == _parts(_render_python(text, base_path="/", allow_raw_html=False))
    capfd.readouterr()  # markdown-it-pyrs printed its panic; the build goes on


def test_emphasis_markdown_it_pyrs_pairs_apart_is_declined() -> None:
    # A closer that found no opener ("a*", "b*") cuts short the search of a later one ("d*").
    text = "_a* b* c_ *d*\n"
    assert fast_renders(text)
    assert render_fast(text, "/") is None
    assert "<em>d</em>" in str(render_markdown(text).html)


# Runs of emphasis and strikethrough markers among words, punctuation, code and links.
_EMPHASIS_PIECES = ["*", "_", "**", "__", "~~", "~", "***", "a", "word", " ", " ", ",", ".", "("]
_EMPHASIS_PIECES += [")", "`", "[", "](/u)", "\\*", "\n", "2", "'", "-"]


@settings(max_examples=600, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_EMPHASIS_PIECES), min_size=3, max_size=30).map("".join))
def test_generated_emphasis_renders_alike(text: str) -> None:
    text += "\n"
    if fast_renders(text):
        _assert_same(text, "/", may_decline=True)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["~", "~~~", " ", "\n", "a", "\t"]), max_size=30).map("".join))
def test_the_tilde_scan_finds_what_a_line_pattern_finds(text: str) -> None:
    # "~~~" anywhere in a line but at its start after at most three spaces (a fence).
    pattern = re.compile(r"^(?! {0,3}~~~).*~~~", re.MULTILINE)
    assert markdown_fast._inline_tildes(text) == (pattern.search(text) is not None)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=20))
def test_the_space_scan_finds_what_a_character_class_finds(text: str) -> None:
    assert markdown_fast._other_space(text) == (re.search(r"[^\S \t\n]", text) is not None)
