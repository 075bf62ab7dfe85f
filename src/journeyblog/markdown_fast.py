"""markdown-it-pyrs for the bodies it renders as markdown.py's markdown-it-py set-up would.

Owns markdown.py's fast path. `fast_renders` sends to markdown-it-py every text with a
construct the two read apart (found by comparing them: docs/architecture.md) or that
markdown-it-pyrs 0.4 could panic on; `render_fast` adds to markdown-it-pyrs' HTML what our
plugins add (heading ids, highlighting, the base path), so that its Rendered is
markdown-it-py's, to the byte. Raw HTML is never rendered here.
"""

from __future__ import annotations

import functools
import re

import markdown_it_pyrs
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.anchors.index import unique_slug  # the plugin's own, so ids match it

from journeyblog.model import Body, Heading
from journeyblog.rendered import Rendered, highlight_code, slug, with_base
from journeyblog.searchwords import search_words


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


def render_fast(text: str, base_path: str) -> Rendered:
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
    return f'{match[1]}{escapeHtml(with_base(_unescape(match[2]), base_path))}"'


def _highlighted(match: re.Match[str]) -> str:
    # markdown-it-py calls the highlighter with the fence's code and the first word of its
    # info string, and keeps the escaped code where it returns "".
    code = highlight_code(_unescape(match[2]), _unescape(match[1]), "")
    return f'<pre><code class="language-{match[1]}">{code or match[2]}</code></pre>'


def _with_id(slugs: set[str], toc: list[Heading], match: re.Match[str]) -> str:
    """A heading as the anchors plugin leaves it (h2-h4 get an id), noted in `toc` if h2/h3."""
    level, inner = int(match[1]), match[2]
    if not 2 <= level <= 4:
        return match[0]
    # The anchors plugin's title: the text and inline code, not images or line breaks.
    title = _unescape(_ANY_TAG.sub("", inner).replace("\n", ""))
    unique = unique_slug(slug(title), slugs)
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
