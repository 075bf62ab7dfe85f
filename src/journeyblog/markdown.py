"""Markdown text -> Rendered (HTML, table of contents, words, summary).

Owns the one markdown-it-py set-up: CommonMark plus tables, strikethrough, footnotes, heading
anchors, definition lists and task lists, fenced code highlighted by Pygments. Raw HTML is
escaped unless the site opts in (`allow_raw_html = true`), so a `<script>` in a post never runs.
Root-relative URLs ("/images/x.png") are given the site's base path ("/blog/images/x.png"),
so a site can live in a sub-folder. The only module that creates `Markup`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from journeyblog.model import Body, Heading
from journeyblog.searchwords import search_words

# Bump when the HTML this module makes for the same text changes: it keys the build cache.
RENDERER_VERSION = "2"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    body: Body  # the HTML and search words, with the key they were made under
    toc: tuple[Heading, ...]  # h2 and h3, in order
    words: int
    first_paragraph: str  # plain text, for posts without a summary
    images: tuple[str, ...]  # every image src, as written (after the base path)
    links: tuple[str, ...]  # every link href, as written (after the base path)

    @property
    def html(self) -> Markup:
        return self.body.html

    @property
    def search_words(self) -> str:
        """searchwords.search_words(html): made here, in the workers, and cached."""
        return self.body.search_words

    @property
    def key(self) -> str:
        """The build cache's key of the text and options it was rendered from
        (cache.markdown_key), once the build has given it: all it was made from, so it
        stands for all of it."""
        return self.body.key


def render_markdown(text: str, *, base_path: str = "/", allow_raw_html: bool = False) -> Rendered:
    """Render one Markdown body.

    >>> render_markdown("## Hello\\n\\n![A map](/images/m.png)", base_path="/blog/").html
    Markup('<h2 id="hello">Hello</h2>\\n<p><img src="/blog/images/m.png" alt="A map"></p>\\n')
    """
    md = _markdown(allow_raw_html)
    env: dict[str, Any] = {"base_path": base_path}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        body=Body("", held=(Markup(html), search_words(html))),
        toc=_toc(tokens),
        words=len(text.split()),
        first_paragraph=_first_paragraph(tokens),
        images=tuple(env.get("images", ())),
        links=tuple(env.get("links", ())),
    )


def rendered_to_row(rendered: Rendered) -> tuple[str, str, str]:
    """For the build cache: (html, search words, the rest as plain JSON).

    The two long strings are stored as they are, so neither is escaped into JSON and parsed
    back (a second of a cold build at 10,000 posts); nothing read from a cache can run code.
    """
    rest = json.dumps(
        {
            "toc": [[h.level, h.id, h.text] for h in rendered.toc],
            "words": rendered.words,
            "first_paragraph": rendered.first_paragraph,
            "images": list(rendered.images),
            "links": list(rendered.links),
        },
        ensure_ascii=False,
    )
    return str(rendered.html), rendered.search_words, rest


def rendered_from_row(body: Body, rest: object) -> Rendered | None:
    """A cached rendering, or None if the row is not one (a cache is never trusted).

    `body` is the row's html and search words, or where to read them when they are needed.
    """
    if not isinstance(rest, str):
        return None
    try:
        data = json.loads(rest)
        if not isinstance(data, dict):
            return None
        toc = tuple(
            Heading(level=int(level), id=str(ident), text=str(text))
            for level, ident, text in data["toc"]
        )
        first, words = data["first_paragraph"], data["words"]
        if not isinstance(first, str) or type(words) is not int:
            return None
        return Rendered(
            body=body,
            toc=toc,
            words=words,
            first_paragraph=first,
            images=tuple(str(item) for item in data["images"]),
            links=tuple(str(item) for item in data["links"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):  # (nested too deep)
        return None


def cached_body(html: object, search_words: object) -> tuple[Markup, str] | None:
    """A body this module rendered, read back from the build cache: None if not one."""
    if not (isinstance(html, str) and isinstance(search_words, str)):
        return None
    return Markup(html), search_words


def plain_text(markdown_inline: str) -> str:
    """Inline Markdown (a title, a summary) as plain text: "**Bold** move" -> "Bold move"."""
    tokens = _markdown(False).parseInline(markdown_inline)
    return _inline_text(tokens[0].children or []) if tokens else ""


@functools.cache
def _markdown(allow_raw_html: bool) -> MarkdownIt:
    md = (
        MarkdownIt(
            "commonmark",
            {"html": allow_raw_html, "xhtmlOut": False, "highlight": _highlight},
        )
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(tasklists_plugin, label=True)
        .use(anchors_plugin, min_level=2, max_level=4, slug_func=_slug)
    )
    md.core.ruler.push("journeyblog_urls", _rewrite_urls)
    return md


_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, language: str, _attrs: Any) -> str:
    """Pygments spans inside markdown-it's <pre><code class="language-x">; "" leaves it plain."""
    if not language:
        return ""
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, _FORMATTER))


def pygments_css(selector: str) -> str:
    """The highlighting rules for code under `selector`, light then dark."""
    light = HtmlFormatter(style="default").get_style_defs(selector)  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="github-dark").get_style_defs(selector)  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_-]+", "-", slug) or "section"


def _rewrite_urls(state: StateCore) -> None:
    """Give root-relative URLs the base path, and note every image and link."""
    base_path: str = state.env.get("base_path", "/")
    images: list[str] = state.env.setdefault("images", [])
    links: list[str] = state.env.setdefault("links", [])
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "image":
                src = _with_base(str(token.attrGet("src") or ""), base_path)
                token.attrSet("src", src)
                images.append(src)
            elif token.type == "link_open":
                href = _with_base(str(token.attrGet("href") or ""), base_path)
                token.attrSet("href", href)
                links.append(href)


def _with_base(url: str, base_path: str) -> str:
    if url.startswith("/") and not url.startswith("//") and base_path != "/":
        return base_path + url[1:]
    return url


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
