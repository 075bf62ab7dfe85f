"""markdown_fast.py on Markdown nobody here wrote: the CommonMark spec's examples and
markdown-it's table and strikethrough fixtures (tests/data/markdown/README.md).

Each text, alone and joined to others, must either be refused by `fast_renders` (or declined
by `render_fast`) or come out of `render_fast` exactly as markdown-it-py
(`markdown._render_python`) renders it, in every part of the Rendered, under two base paths.
markdown-it-py is the judge, not the spec's HTML: our set-up adds plugins, and the two only
have to agree.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from journeyblog.markdown import _render_python
from journeyblog.markdown_fast import fast_renders, render_fast
from journeyblog.rendered import Rendered
from journeyblog.sources import parse_source

DATA = Path(__file__).resolve().parents[1] / "data" / "markdown"
SPEC = json.loads((DATA / "commonmark.json").read_text(encoding="utf-8"))
FIXTURES = [
    case[2] for name in ("tables.md", "strikethrough.md") for case in read_fixture_file(DATA / name)
]
EXAMPLES: list[str] = [example["markdown"] for example in SPEC] + FIXTURES
SECTIONS: dict[str, list[str]] = {}
for example in SPEC:
    SECTIONS.setdefault(example["section"], []).append(example["markdown"])
SECTIONS["tables.md and strikethrough.md"] = FIXTURES

BASE_PATHS = ("/", "/blog/")


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


def _as_sources_deliver(text: str) -> str | None:
    """The body sources.py reads from a file holding `text` (None if it refuses the file)."""
    data = b"---\ntitle: Example\n---\n" + text.encode()
    source, problem = parse_source(Path("example.md"), data, "post")
    return None if source is None or problem is not None else source.body


def _variants(text: str) -> Iterator[str]:
    """`text` as written, without its final line break, and as read from a file saved with
    CRLF line ends (what a post's body can be)."""
    yield text
    yield text.rstrip("\n")
    body = _as_sources_deliver(text.replace("\n", "\r\n"))
    if body is not None:
        yield body


def _differences(texts: Iterable[str]) -> list[str]:
    """The texts `fast_renders` takes that the two renderers render apart."""
    found = []
    for variant in dict.fromkeys(variant for text in texts for variant in _variants(text)):
        if not fast_renders(variant):
            continue
        for base_path in BASE_PATHS:
            fast = render_fast(variant, base_path)
            python = _render_python(variant, base_path=base_path, allow_raw_html=False)
            if fast is not None and _parts(fast) != _parts(python):
                found.append(variant)
                break
    return found


def _report(found: list[str]) -> str:
    return f"{len(found)} texts render apart, the first: " + ", ".join(map(repr, found[:5]))


def test_the_data_is_all_there() -> None:
    assert len(SPEC) == 652
    assert len(FIXTURES) == 42 + 15


def test_every_example_alone() -> None:
    found = _differences(EXAMPLES)
    assert not found, _report(found)


@pytest.mark.parametrize(
    "separator", ["\n\n", "\n", ""], ids=["two blank lines", "a blank line", "no blank line"]
)
def test_consecutive_examples_joined(separator: str) -> None:
    # Every example ends with a line break, so "" starts the next one on the following line.
    texts = [separator.join(pair) for pair in itertools.pairwise(EXAMPLES)]
    found = _differences(texts)
    assert not found, _report(found)


def test_runs_of_five_and_whole_sections_joined() -> None:
    runs = ["\n\n".join(EXAMPLES[at : at + 5]) for at in range(0, len(EXAMPLES), 3)]
    sections = ["\n".join(examples) for examples in SECTIONS.values()]
    found = _differences(runs + sections)
    assert not found, _report(found)


def test_examples_far_apart_joined() -> None:
    # Pairs from different sections: a definition in one, what reads it in another.
    step = len(EXAMPLES) // 7
    texts = [
        EXAMPLES[at] + "\n" + EXAMPLES[(at + step * k) % len(EXAMPLES)]
        for at in range(len(EXAMPLES))
        for k in (1, 3)
    ]
    found = _differences(texts)
    assert not found, _report(found)


# Pieces to mix: whole examples and each of their lines.
_FRAGMENTS = sorted(
    {*EXAMPLES, *(line for example in EXAMPLES for line in example.split("\n") if line)}
)


@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    pieces=st.lists(st.sampled_from(_FRAGMENTS), min_size=2, max_size=8),
    separators=st.lists(st.sampled_from(["\n", "\n\n", "", " "]), min_size=7, max_size=7),
)
def test_fragments_of_examples_mixed(pieces: list[str], separators: list[str]) -> None:
    text = pieces[0]
    for piece, separator in zip(pieces[1:], separators, strict=False):
        text += separator + piece
    found = _differences([text if text.endswith("\n") else text + "\n"])
    assert not found, _report(found)
