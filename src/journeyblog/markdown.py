"""Markdown text -> Rendered (HTML, table of contents, words, summary).

Owns the one markdown-it-py set-up: CommonMark plus tables, strikethrough, footnotes, heading
anchors, definition lists and task lists, fenced code highlighted by Pygments. Raw HTML is
escaped unless the site opts in (`allow_raw_html = true`), so a `<script>` in a post never runs.
Root-relative URLs ("/images/x.png") are given the site's base path ("/blog/images/x.png"),
so a site can live in a sub-folder. The only module that creates `Markup`.

Most posts are rendered by markdown-it-pyrs (bindings to markdown-it.rs, the Rust port of
markdown-it, from the maintainer of markdown-it-py), about ten times as fast: a body that
uses none of the plugins (footnotes, definition lists, task lists) or raw HTML is CommonMark
with tables and strikethrough, on which both give the same HTML, and `_render_fast` adds
what the plugins here add (heading ids, highlighting, the base path) to that HTML. The
result is the Rendered that markdown-it-py would give, to the byte: tests/unit/
test_markdown_fast.py and tests/e2e/test_markdown_engines.py check it. `fast_renders` sends
to markdown-it-py every text with a construct the two were found to read apart, by comparing
them on the bench corpus and on hundreds of thousands of generated texts
(docs/architecture.md), and any text markdown-it-pyrs 0.4 could panic on.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import markdown_it_pyrs
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import unique_slug  # the plugin's own, so ids match it
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from journeyblog.model import Body, BodyParts, Heading
from journeyblog.searchwords import search_words

# Bump when the HTML this module makes for the same text changes: it keys the build cache.
RENDERER_VERSION = "3"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    body: Body  # the HTML, search words and toc, with the key they were made under
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
    def toc(self) -> tuple[Heading, ...]:
        """h2 and h3, in order."""
        return self.body.toc

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
    if not allow_raw_html and fast_renders(text):
        try:
            return _render_fast(text, base_path)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # a Rust panic is a BaseException, not an Exception
            # A panic `fast_renders` did not foresee: markdown-it-py renders the body as well.
            pass
    return _render_python(text, base_path=base_path, allow_raw_html=allow_raw_html)


def _render_python(text: str, *, base_path: str, allow_raw_html: bool) -> Rendered:
    md = _markdown(allow_raw_html)
    env: dict[str, Any] = {"base_path": base_path}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        body=Body("", held=(Markup(html), search_words(html), _toc(tokens))),
        words=len(text.split()),
        first_paragraph=_first_paragraph(tokens),
        images=tuple(env.get("images", ())),
        links=tuple(env.get("links", ())),
    )


def fast_renders(text: str) -> bool:
    """Whether markdown-it-pyrs renders `text` (raw HTML off) as markdown-it-py would."""
    # Each test is a substring or a short regex scan: together a few per cent of rendering.
    lined = "\n" + text  # for the patterns of a line's start
    return (
        text.endswith("\n")
        and "[^" not in text
        and "^[" not in text
        and _TASK_ITEM.search(text) is None
        and _DEFINITION.search(lined) is None
        and not _other_space(text)
        and "\x00" not in text
        and not _inline_tildes(text)
        and ("` " not in text or _SPACES_IN_BACKTICKS.search(text) is None)
        and (">" not in text or _LAZY_QUOTE_LINE.search(lined) is None)
        and not _fence_after_text_in_item(text)
        and ("|" not in text or _plain_tables(text))
        and (("-:" not in text and ":-" not in text) or _COLON_RULE.search(text) is None)
        and not _may_panic(text)
        and not _entity_in_alt(text)
    )


# What only the plugins read: a body holding any of it takes markdown-it-py. Footnotes
# ("[^1]", "^[inline]", tested above), task list items "[ ]" / "[x]", definition list lines
# ": definition" or "~ definition". Deliberately wide: a false alarm only costs speed.
# (Each pattern starts with a literal, which the regex engine looks for quickly: a pattern
# for a line's start is matched against "\n" + text.)
_TASK_ITEM = re.compile(r"\[[ xX]\]")
_DEFINITION = re.compile(r"\n[ \t]*[:~]")
# The two differ at the very end of a text without a final line break (a fence left open,
# trailing spaces): a file saved by an editor ends with one, and only such a text is taken.
# markdown-it-py trims Unicode spaces (a no-break space, U+2028) where markdown-it-pyrs keeps
# them, as CommonMark does; and a lone CR, a line break to Markdown, would need its own care
# below (the sources never hold one: sources.py makes every line end LF). NUL, which the two
# read differently, never reaches here from a source either.
_OTHER_SPACE = re.compile(r"[^\S \t\n]")
_ASCII_OTHER_SPACES = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f")


def _other_space(text: str) -> bool:
    """Whether text holds a space character other than space, tab and line feed."""
    if text.isascii():  # a few substring searches beat a character class over the text
        return any(space in text for space in _ASCII_OTHER_SPACES)
    return _OTHER_SPACE.search(text) is not None


def _inline_tildes(text: str) -> bool:
    """Whether "~~~" stands inside a line, not at its start as a fence: the two pair
    strikethrough tildes there differently."""
    at = text.find("~~~")
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        if text[line_start:at].strip(" ") or at - line_start > 3:
            return True
        line_end = text.find("\n", at)
        if line_end < 0:
            return False
        at = text.find("~~~", line_end + 1)
    return False


# A code span of spaces only: markdown-it-pyrs trims it.
_SPACES_IN_BACKTICKS = re.compile(r"` +`")
# A quote's line continued by a line without ">" ("lazy"): the two end the quote apart.
_LAZY_QUOTE_LINE = re.compile(r"\n {0,3}>.*\n(?! {0,3}>)[ \t]*\S")
# An indented fence: inside a list item, right under its text, markdown-it-py writes no line
# break between a tight item's text and the code.
_INDENTED_FENCE = re.compile(r"\n[ \t]+(?:`{3,}|~{3,})")


def _fence_after_text_in_item(text: str) -> bool:
    for fence in _INDENTED_FENCE.finditer(text):
        above = text[text.rfind("\n", 0, fence.start()) + 1 : fence.start()]
        if above.strip():
            return True
    return False


# A table's delimiter row; tables are taken only in their plain form (`_plain_tables`).
_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# A header row with a pipe over "---" is a one-column table to markdown-it-py and a heading to
# markdown-it-pyrs.
_PIPELESS_DELIMITER_ROW = re.compile(r"\|[^\n]*\n[ \t]*:?-+:?[ \t]*$", re.MULTILINE)


# "---:" under a line of text: a one-column table to markdown-it-pyrs, not to markdown-it-py.
_COLON_RULE = re.compile(r"\n[ \t]*(?::-+:?|-+:)[ \t]*\n")


def _plain_tables(text: str) -> bool:
    """Whether every table starts after a blank line and all its rows start with "|": the two
    end a table at a list or a quote, or continue one lazily, in different places."""
    if _PIPELESS_DELIMITER_ROW.search(text) is not None:
        return False
    if "-" not in text:
        return True
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if "|" not in line or "-" not in line or not _DELIMITER_ROW.match(line):
            continue
        header = number - 1
        if header < 0 or not lines[header].lstrip(" ").startswith("|"):
            return False
        if header > 0 and lines[header - 1].strip():
            return False
        for row in lines[number + 1 :]:
            if not row.strip():
                break
            if not row.lstrip(" ").startswith("|"):
                return False
    return True


# markdown-it-pyrs 0.4 (markdown-it.rs 0.6) panics on a "[" followed in its inline block by a
# run of backticks that no run of the same length closes ("[a`"), and a panic prints to
# stderr before Python can catch it. So a body is left to markdown-it-py unless, in every
# blank-line-separated chunk holding a "[", each line's backtick runs pair up on that line
# (then they pair up alike in whatever block holds the line), with no escaped backtick and
# no table row among them. A fence's own lines are not parsed inline, so they are left out
# (the code between them is checked like text: at worst a needless fall-back).
_FENCE_LINE = re.compile(r" {0,3}(?:`{3,}[^`]*|~{3,}.*)")
_CHUNKS = re.compile(r"\n[ \t]*\n")
_BACKTICKS = re.compile(r"`+")


def _may_panic(text: str) -> bool:
    if "[" not in text or "`" not in text:
        return False
    for chunk in _CHUNKS.split(text):
        if "[" not in chunk or "`" not in chunk:
            continue
        if "\\`" in chunk:
            return True
        for line in chunk.split("\n"):
            if "`" not in line or _FENCE_LINE.fullmatch(line):
                continue
            if "|" in line or not _backticks_pair(line):
                return True
    return False


def _backticks_pair(line: str) -> bool:
    """Whether each backtick run opens a code span that a later run of its length closes."""
    runs = [len(run) for run in _BACKTICKS.findall(line)]
    at = 0
    while at < len(runs):
        try:
            at = runs.index(runs[at], at + 1) + 1
        except ValueError:
            return False
    return True


def _entity_in_alt(text: str) -> bool:
    """Whether an image's alt text may hold an entity, a backslash escape or an autolink,
    which markdown-it-pyrs leaves out of the alt attribute: any "&", "\\" or "<" after a
    "![" in its blank-line-separated chunk."""
    if "![" not in text:
        return False
    for chunk in _CHUNKS.split(text):
        start = chunk.find("![")
        if start >= 0 and any(mark in chunk[start:] for mark in "&\\<"):
            return True
    return False


@functools.cache
def _fast_markdown() -> markdown_it_pyrs.MarkdownIt:
    # "zero" and the CommonMark rules but the two raw HTML ones, so "<b>" stays text.
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(
        [
            *("blockquote", "code", "fence", "heading", "hr", "lheading", "list"),
            *("paragraph", "reference", "autolink", "backticks", "emphasis", "entity"),
            *("escape", "image", "link", "newline", "table", "strikethrough"),
        ]
    )


# In the HTML both renderers write, with raw HTML off: every tag below comes from Markdown
# (text and attribute values have "<", ">", '"' and "&" escaped), so the patterns can match
# tags without a parser.
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FENCE = re.compile(r'<pre><code class="language-([^"]*)">(.*?)</code></pre>', re.DOTALL)
_URL_ATTRIBUTE = re.compile(r'(<a href="|<img src=")([^"]*)"')
_IMAGE_SRC = re.compile(r'<img src="([^"]*)"')
_LINK_HREF = re.compile(r'<a href="([^"]*)"')
_IMAGE_ALT = re.compile(r'<img src="[^"]*" alt="([^"]*)"[^>]*>')
_ANY_TAG = re.compile(r"<[^>]*>")
_TOP_PARAGRAPH = re.compile(r"<(/?)(?:blockquote|ul|ol)\b[^>]*>|<p>(.*?)</p>", re.DOTALL)


def _unescape(html: str) -> str:
    """The text markdown-it escaped (escapeHtml: & < > " only), exactly as it was."""
    if "&" not in html:
        return html
    return (
        html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _render_fast(text: str, base_path: str) -> Rendered:
    """render_markdown for a body `fast_renders` accepts: the same Rendered, to the byte."""
    html = _fast_markdown().render(text, xhtml=False)
    if "<blockquote>\n</blockquote>" in html:  # an empty quote, as markdown-it-py writes it
        html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    if base_path != "/" and ("<a " in html or "<img " in html):
        html = _URL_ATTRIBUTE.sub(functools.partial(_based, base_path), html)
    if "<pre><code class=" in html:
        html = _FENCE.sub(_highlighted, html)
    toc: list[Heading] = []
    if "<h" in html:
        html = _HEADING.sub(functools.partial(_with_id, set[str](), toc), html)
    return Rendered(
        body=Body("", held=(Markup(html), search_words(html), tuple(toc))),
        words=len(text.split()),
        first_paragraph=_first_top_paragraph(html),
        images=tuple(_unescape(src) for src in _IMAGE_SRC.findall(html)),
        links=tuple(_unescape(href) for href in _LINK_HREF.findall(html)),
    )


def _based(base_path: str, match: re.Match[str]) -> str:
    return f'{match[1]}{escapeHtml(_with_base(_unescape(match[2]), base_path))}"'


def _highlighted(match: re.Match[str]) -> str:
    # markdown-it-py calls the highlighter with the fence's code and the first word of its
    # info string, and keeps the escaped code where it returns "".
    code = _highlight(_unescape(match[2]), _unescape(match[1]), "")
    return f'<pre><code class="language-{match[1]}">{code or match[2]}</code></pre>'


def _with_id(slugs: set[str], toc: list[Heading], match: re.Match[str]) -> str:
    """A heading as the anchors plugin leaves it (h2-h4 get an id), noted in `toc` if h2/h3."""
    level, inner = int(match[1]), match[2]
    if not 2 <= level <= 4:
        return match[0]
    # The anchors plugin's title: the text and inline code, not images or line breaks.
    title = _unescape(_ANY_TAG.sub("", inner).replace("\n", ""))
    unique = unique_slug(_slug(title), slugs)
    if level <= 3:
        toc.append(Heading(level=level, id=unique, text=_html_text(inner)))
    return f'<h{level} id="{escapeHtml(unique)}">{inner}</h{level}>'


def _html_text(inner: str) -> str:
    """_inline_text of the tokens that rendered as `inner`: images by their alt text."""
    text = _IMAGE_ALT.sub(lambda image: image[1], inner)
    return " ".join(_unescape(_ANY_TAG.sub("", text)).split())


def _first_top_paragraph(html: str) -> str:
    """_first_paragraph: the first paragraph outside quotes and lists with any text."""
    depth = 0
    for match in _TOP_PARAGRAPH.finditer(html):
        if match[2] is not None:
            if depth == 0:
                text = _html_text(match[2])
                if text:
                    return text
        elif match[1]:
            depth -= 1
        else:
            depth += 1
    return ""


def rendered_to_row(rendered: Rendered) -> tuple[str, str, str]:
    """For the build cache: (html, search words, the rest as plain JSON, toc included).

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

    `body` is where to read the row's html, search words and toc when they are needed;
    the toc is checked here, so that reading it then cannot fail.
    """
    if not isinstance(rest, str):
        return None
    try:
        data = json.loads(rest)
        if not isinstance(data, dict) or not _sound_toc(data.get("toc")):
            return None
        first, words = data["first_paragraph"], data["words"]
        if not isinstance(first, str) or type(words) is not int:
            return None
        return Rendered(
            body=body,
            words=words,
            first_paragraph=first,
            images=tuple(str(item) for item in data["images"]),
            links=tuple(str(item) for item in data["links"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):  # (nested too deep)
        return None


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


def cached_body(html: object, search_words: object, rest: object) -> BodyParts | None:
    """A body this module rendered, read back from the build cache: None if not one."""
    if not (isinstance(html, str) and isinstance(search_words, str) and isinstance(rest, str)):
        return None
    try:
        toc = _toc_from_row(json.loads(rest))
    except (ValueError, RecursionError):
        return None
    return None if toc is None else (Markup(html), search_words, toc)


def fenced_code(text: str) -> list[tuple[int, int, bool]]:
    """(first line, line after the last, closed) of each fenced code block, lines from 0, as
    the renderer reads the text: what it will show as code, and only that."""
    lines = text.split("\n")
    found = []
    for token in _markdown(False).parse(text):
        if token.type == "fence" and token.map is not None:
            first, end = token.map
            fence = f"{re.escape(token.markup[0])}{{{len(token.markup)},}}"
            closed = end - 1 > first and re.fullmatch(rf"[ \t>]*{fence}[ \t]*", lines[end - 1])
            found.append((first, end, bool(closed)))
    return found


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
