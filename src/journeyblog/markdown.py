"""Markdown text -> Rendered (HTML, table of contents, words, summary).

Owns the one markdown-it-py set-up: CommonMark plus tables, strikethrough, footnotes, heading
anchors, definition lists and task lists, fenced code highlighted by Pygments. Raw HTML is
escaped unless the site opts in (`allow_raw_html = true`), so a `<script>` in a post never runs.
Root-relative URLs ("/images/x.png") are given the site's base path ("/blog/images/x.png"),
so a site can live in a sub-folder. With markdown_fast.py, the only module that creates `Markup`.

Most posts are rendered by markdown-it-pyrs instead, about ten times as fast: markdown_fast.py
takes every body it can render to the Rendered markdown-it-py would give, to the byte, and
leaves the rest to `_render_python` here (tests/unit/test_markdown_fast.py,
tests/unit/test_markdown_spec.py and tests/e2e/test_markdown_engines.py check that they agree).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, TypeGuard

import xxhash
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments.formatters import HtmlFormatter

from journeyblog import markdown_fast
from journeyblog.model import Body, Heading
from journeyblog.rendered import Rendered, highlight_code, slug, with_base
from journeyblog.searchwords import search_words


def render_markdown(text: str, *, base_path: str = "/", allow_raw_html: bool = False) -> Rendered:
    """Render one Markdown body.

    >>> render_markdown("## Hello\\n\\n![A map](/images/m.png)", base_path="/blog/").html
    Markup('<h2 id="hello">Hello</h2>\\n<p><img src="/blog/images/m.png" alt="A map"></p>\\n')
    """
    if not allow_raw_html and markdown_fast.fast_renders(text):
        try:
            rendered = markdown_fast.render_fast(text, base_path)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a Rust panic is a BaseException, not an Exception
            # A panic `fast_renders` did not foresee: markdown-it-py renders the body as well.
            rendered = None
        if rendered is not None:
            return rendered
    return _render_python(text, base_path=base_path, allow_raw_html=allow_raw_html)


def _render_python(text: str, *, base_path: str, allow_raw_html: bool) -> Rendered:
    md = _markdown(allow_raw_html)
    env: dict[str, Any] = {"base_path": base_path}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        body=Body.of(html, search_words(html), _toc(tokens), words=len(text.split())),
        first_paragraph=_first_paragraph(tokens),
        images=tuple(env.get("images", ())),
        links=tuple(env.get("links", ())),
    )


def rendered_to_row(rendered: Rendered) -> tuple[bytes, bytes, str]:
    """For the build cache: (html, search words, the rest as plain JSON, toc included).

    The two long texts are stored packed, as the model holds them (model.pack), with a
    digest of each in the rest: a row is read back only if both are what was written.
    """
    body = rendered.body
    rest = json.dumps(
        {
            "toc": [[h.level, h.id, h.text] for h in rendered.toc],
            "words": rendered.words,
            "first_paragraph": rendered.first_paragraph,
            "images": list(rendered.images),
            "links": list(rendered.links),
            "packed": [_digest(body.packed_html), _digest(body.packed_words)],
        },
        ensure_ascii=False,
    )
    return body.packed_html, body.packed_words, rest


def rendered_from_row(key: str, html: object, words: object, rest: object) -> Rendered | None:
    """A cached rendering, or None if the row is not one (a cache is never trusted)."""
    if not (isinstance(html, bytes) and isinstance(words, bytes) and isinstance(rest, str)):
        return None
    try:
        data = json.loads(rest)
        toc = _toc_from_row(data)
        if toc is None or data.get("packed") != [_digest(html), _digest(words)]:
            return None
        first, count = data["first_paragraph"], data["words"]
        if not isinstance(first, str) or type(count) is not int:
            return None
        return Rendered(
            body=Body.from_packed(key, html, words, toc, words=count),
            first_paragraph=first,
            images=tuple(str(item) for item in data["images"]),
            links=tuple(str(item) for item in data["links"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):  # (nested too deep)
        return None


def _digest(packed: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(packed)


def _toc_from_row(rest: object) -> tuple[Heading, ...] | None:
    """The toc of a cached rendering's rest (rendered_to_row, parsed): None if not one."""
    rows = rest.get("toc") if isinstance(rest, dict) else None
    if not _sound_toc(rows):
        return None
    return tuple(Heading(level=level, id=ident, text=text) for level, ident, text in rows)


def _sound_toc(rows: object) -> TypeGuard[list[list[Any]]]:
    """Whether a cached toc is a list of [level, id, text] rows."""
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and len(row) == 3
        and type(row[0]) is int
        and isinstance(row[1], str)
        and isinstance(row[2], str)
        for row in rows
    )


def code_blocks(text: str, *, allow_raw_html: bool = False) -> list[tuple[int, int, bool, bool]]:
    """(first line, line after the last, closed, fenced) of each code block, fenced or
    indented, lines from 0, as the renderer reads the text (with raw HTML or not, as the
    site says): what it will show as code, and only that. An indented block is closed."""
    found = []
    for token in _blocks_only(allow_raw_html).parse(text):
        if token.map is None:
            continue
        first, end = token.map
        if token.type == "code_block":
            found.append((first, end, True, False))
        elif token.type == "fence":
            # Closed when its lines are the opening, the content and a closing line.
            closed = end - first == token.content.count("\n") + 2
            found.append((first, end, closed, True))
    return found


def code_texts(text: str, *, allow_raw_html: bool = False, spans: bool = True) -> list[str]:
    """The text of every code block, and with `spans` of every code span, as the renderer
    shows it."""
    found = []
    parser = _markdown(allow_raw_html) if spans else _blocks_only(allow_raw_html)
    pending = list(parser.parse(text))
    while pending:
        token = pending.pop()
        if token.type in ("fence", "code_block", "code_inline"):
            found.append(token.content)
        pending += token.children or ()
    return found


def plain_text(markdown_inline: str) -> str:
    """Inline Markdown (a title, a summary) as plain text: "**Bold** move" -> "Bold move"."""
    tokens = _markdown(False).parseInline(markdown_inline)
    return _inline_text(tokens[0].children or []) if tokens else ""


@functools.cache
def _markdown(allow_raw_html: bool) -> MarkdownIt:
    md = _new_markdown(allow_raw_html)
    md.core.ruler.push("journeyblog_urls", _rewrite_urls)
    return md


def _new_markdown(allow_raw_html: bool) -> MarkdownIt:
    return (
        MarkdownIt(
            "commonmark",
            {"html": allow_raw_html, "xhtmlOut": False, "highlight": highlight_code},
        )
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(tasklists_plugin, label=True)
        .use(anchors_plugin, min_level=2, max_level=4, slug_func=slug)
    )


@functools.cache
def _blocks_only(allow_raw_html: bool) -> MarkdownIt:
    """The renderer's parser that stops at the blocks: what is code is known there, and the
    inline parse, most of a parse's cost, is left out."""
    md = _new_markdown(allow_raw_html)
    md.core.ruler.enableOnly(["normalize", "block"])
    return md


def pygments_css(selector: str) -> str:
    """The highlighting rules for code under `selector`, light then dark."""
    light = HtmlFormatter(style="default").get_style_defs(selector)  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="github-dark").get_style_defs(selector)  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _rewrite_urls(state: StateCore) -> None:
    """Give root-relative URLs the base path, and note every image and link."""
    base_path: str = state.env.get("base_path", "/")
    images: list[str] = state.env.setdefault("images", [])
    links: list[str] = state.env.setdefault("links", [])
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "image":
                src = with_base(str(token.attrGet("src") or ""), base_path)
                token.attrSet("src", src)
                images.append(src)
            elif token.type == "link_open":
                href = with_base(str(token.attrGet("href") or ""), base_path)
                token.attrSet("href", href)
                links.append(href)


def _toc(tokens: Sequence[Token]) -> tuple[Heading, ...]:
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            inline = tokens[index + 1]
            headings.append(
                Heading(
                    level=int(token.tag[1]),
                    id=str(token.attrGet("id") or ""),
                    text=_inline_text(inline.children or []),
                )
            )
    return tuple(headings)


def _first_paragraph(tokens: Sequence[Token]) -> str:
    for index, token in enumerate(tokens):
        # A paragraph at the top level, not one inside a quote or a list.
        if token.type == "paragraph_open" and token.level == 0:
            text = _inline_text(tokens[index + 1].children or [])
            if text:
                return text
    return ""


def _inline_text(children: Sequence[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
        elif child.type == "html_inline":
            continue
    # Token contents are already decoded text: "&amp;" in code stays as written.
    return " ".join("".join(parts).split())
