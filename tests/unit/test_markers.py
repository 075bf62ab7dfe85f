"""markers.py: one grammar for level markers; anything near one is refused, never shown."""

from __future__ import annotations

import pytest

from journeyblog.audience import security_levels
from journeyblog.markers import strip_level_blocks

LEVELS = security_levels(["public", "internal", "restricted"])
PUBLIC, INTERNAL, RESTRICTED = LEVELS

BODY = """Everyone.

<!-- level: internal -->
Staff only.
<!-- /level -->
<!-- level: Public -->
Also everyone.
<!-- /level -->
The end.
"""


def test_blocks_above_the_audience_are_removed_with_their_markers() -> None:
    body, problems, removed = strip_level_blocks(BODY, audience=PUBLIC, levels=LEVELS)
    assert problems == []
    assert body == "Everyone.\n\n\nAlso everyone.\nThe end.\n"
    assert removed == ["\nStaff only.\n"]


def test_blocks_at_or_below_the_audience_are_kept_without_markers() -> None:
    body, problems, removed = strip_level_blocks(BODY, audience=INTERNAL, levels=LEVELS)
    assert problems == [] and removed == []
    assert body == "Everyone.\n\n\nStaff only.\n\nAlso everyone.\nThe end.\n"


@pytest.mark.parametrize(
    "marker",
    [
        "<!--level:internal-->",
        "<!--   LEVEL :  Internal   -->",
        "<!-- level:\ninternal -->",
    ],
)
def test_well_formed_markers_in_any_case_and_spacing(marker: str) -> None:
    text = f"A.\n\n{marker}\nSecret.\n<!--/level-->\nB.\n"
    body, problems, removed = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert problems == []
    assert "Secret" not in body and "<!--" not in body
    assert removed == ["\nSecret.\n"]


NEAR_MISSES = [
    "<!-- levle: internal -->",
    "<!-- lvl: internal -->",
    "<!-- levels: internal -->",
    "<!-- Level internal -->",
    "<!-- level = internal -->",
    "<!-- internal -->",
    "<!-- INTERNAL: staff only -->",
    "<!-- restricted -->",
    "<!-- l e v e l: internal -->",
    "<!-- /levle -->",
    "<!-- level: internal staff -->",
]


@pytest.mark.parametrize("marker", NEAR_MISSES)
def test_a_comment_near_a_marker_is_an_error_on_its_line_and_publishes_nothing(
    marker: str,
) -> None:
    text = f"Public.\n\n{marker}\nThe secret sentence.\n<!-- /level -->\nMore.\n"
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert problems, marker
    assert problems[0][0] == 3
    assert "secret" not in body.lower()


def test_an_unknown_level_is_an_error() -> None:
    text = "One.\n\n<!-- level: secret -->\nHidden.\n<!-- /level -->\n"
    body, problems, _ = strip_level_blocks(text, audience=RESTRICTED, levels=LEVELS)
    [(line, message)] = problems
    assert line == 3 and "unknown level 'secret'" in message
    assert "Hidden" not in body


def test_an_opening_marker_never_closed_names_its_own_line() -> None:
    text = "One.\nTwo.\n<!-- level: internal -->\nNever closed.\n"
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    [(line, message)] = problems
    assert line == 3 and "never closed" in message
    assert "Never closed" not in body


def test_a_comment_left_open_is_an_error() -> None:
    text = "One.\n<!-- level: internal\nSecret.\n"
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert [line for line, _ in problems] == [2]
    assert "Secret" not in body


def test_a_closing_marker_alone_is_an_error() -> None:
    _, problems, _ = strip_level_blocks("One.\n<!-- /level -->\n", audience=PUBLIC, levels=LEVELS)
    [(line, message)] = problems
    assert line == 2 and "without an opening" in message


def test_blocks_nest_inward_only() -> None:
    inward = (
        "A.\n<!-- level: internal -->\nStaff.\n<!-- level: restricted -->\nBoard.\n"
        "<!-- /level -->\nStaff again.\n<!-- /level -->\nZ.\n"
    )
    body, problems, removed = strip_level_blocks(inward, audience=INTERNAL, levels=LEVELS)
    assert problems == []
    assert "Staff." in body and "Staff again." in body and "Board" not in body
    assert removed == ["\nBoard.\n"]
    body, problems, removed = strip_level_blocks(inward, audience=PUBLIC, levels=LEVELS)
    assert problems == [] and body == "A.\nZ.\n"
    outward = inward.replace("level: restricted", "level: public")
    _, problems, _ = strip_level_blocks(outward, audience=PUBLIC, levels=LEVELS)
    [(line, message)] = problems
    assert line == 4 and "higher level" in message


def test_markers_inside_fenced_code_are_text() -> None:
    text = "How to:\n\n```html\n<!-- level: internal -->\nStaff only.\n```\n\nDone.\n"
    body, problems, removed = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert problems == [] and removed == [] and body == text


def test_a_fence_left_open_that_swallows_a_marker_is_an_error() -> None:
    text = "Code:\n\n```\nx = 1\n\n<!-- level: internal -->\nStaff only.\n<!-- /level -->\n"
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert problems and problems[0][0] == 6
    assert "never closed" in problems[0][1]
    assert "Staff" not in body


@pytest.mark.parametrize("comment", ["<!-- TODO: a picture -->", "<!-- more -->", "<!---->"])
def test_other_comments_are_notes_never_published(comment: str) -> None:
    text = f"One.\n{comment}\nTwo.\n"
    assert strip_level_blocks(text, audience=PUBLIC, levels=LEVELS) == ("One.\nTwo.\n", [], [])


def test_a_note_within_a_line_or_over_paragraphs_goes_whole() -> None:
    text = (
        "Costs <!-- the £2.3m overrun, ask finance --> rose.\n\n"
        "<!-- Note to editors:\n\nnot yet -->\nEnd.\n"
    )
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert problems == []
    assert body == "Costs  rose.\n\nEnd.\n"


def test_a_note_never_closed_is_refused() -> None:
    body, problems, _ = strip_level_blocks(
        "One.\n<!-- Note to editors: the figures\nare wrong\n", audience=PUBLIC, levels=LEVELS
    )
    assert body == ""
    assert problems[0][0] == 2 and "never closed" in problems[0][1]


@pytest.mark.parametrize(
    "comment",
    ["`<!-- a note -->`", "```\n<!-- a note -->\n```", "    <!-- a note -->"],
    ids=["code span", "fence", "indented code"],
)
def test_comments_shown_as_code_stay(comment: str) -> None:
    text = f"Write it so:\n\n{comment}\n"
    assert strip_level_blocks(text, audience=PUBLIC, levels=LEVELS) == (text, [], [])


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<!-- security: internal -->", "<!-- /security -->"),
        ("<!-- visibility: internal -->", "<!-- /visibility -->"),
        ("<!-- audience: staff -->", "<!-- /audience -->"),
        ("<!-- begin internal -->", "<!-- end internal -->"),
        ("<!-- private -->", "<!-- /private -->"),
        ("<!-- if internal -->", "<!-- endif -->"),
        ("<!-- Staff only -->", "<!-- end -->"),
        ("<!-- start restricted -->", "<!-- stop -->"),
        ("<!-- note: level internal -->", "<!-- /note -->"),
    ],
)
def test_comments_that_mean_to_hide_a_block_are_refused(opening: str, closing: str) -> None:
    text = f"Public.\n\n{opening}\nZanzibar marmalade figures.\n{closing}\n"
    body, problems, _ = strip_level_blocks(text, audience=PUBLIC, levels=LEVELS)
    assert body == ""
    assert problems and problems[0][0] in (3, 5)


@pytest.mark.parametrize(
    "comment",
    [
        "<!-- TODO: add the public sector figures -->",
        "<!-- source: ONS official statistics, table 4 -->",
        "<!-- TODO: ask comms whether the internal wiki link can go public -->",
        "<!-- wp:paragraph -->\nA paragraph.\n<!-- /wp:paragraph -->",
        "<div>\n<!-- /.container -->",
        "<!-- draft: needs a better ending -->",
        "<!-- Private beta dates to follow -->\nText.\n<!-- more -->",
    ],
)
def test_ordinary_comments_are_notes_not_refused(comment: str) -> None:
    body, problems, _ = strip_level_blocks(
        f"One.\n{comment}\nTwo.\n", audience=PUBLIC, levels=LEVELS
    )
    assert problems == []
    assert "<!--" not in body and "Two." in body


def test_a_level_name_of_several_words_is_found_however_joined() -> None:
    levels = security_levels(["public", "staff-only", "restricted"])
    for comment in ("<!-- staff only -->", "<!-- Staff_Only section -->", "<!-- staffonly -->"):
        text = f"Public.\n{comment}\nSecret.\n<!-- /level -->\n"
        body, problems, _ = strip_level_blocks(text, audience=levels[0], levels=levels)
        assert body == "" and problems, comment


@pytest.mark.parametrize(
    "syntax",
    [
        "{{< level internal >}}\nSecret.\n{{< /level >}}",
        "{{% private %}}\nSecret.\n{{% /private %}}",
        "{% if internal %}\nSecret.\n{% endif %}",
        '{% if site.audience == "internal" %}\nSecret.\n{% endif %}',
        "[//]: # (level: internal)\nSecret.",
        "[comment]: <> (private)\nSecret.",
        "&lt;!-- level: internal --&gt;\nSecret.\n&lt;!-- /level --&gt;",
        "%% a note to the team %%",
        "{::comment}\nSecret.\n{:/comment}",
    ],
    ids=[
        *("hugo", "hugo percent", "liquid", "liquid condition", "link comment", "comment label"),
        "entities",
        *("obsidian", "kramdown"),
    ],
)
def test_other_generators_hiding_syntax_is_refused(syntax: str) -> None:
    body, problems, _ = strip_level_blocks(f"Public.\n\n{syntax}\n", audience=PUBLIC, levels=LEVELS)
    assert body == ""
    assert problems[0][0] == 3
    assert "not how journeyblog keeps text back" in problems[0][1]


@pytest.mark.parametrize(
    "text",
    [
        "A shortcode: `{{< level internal >}}`.\n",
        "```liquid\n{% if internal %}\n```\n",
        "{{< youtube abc123 >}}\n",
        "{% include figure.html %}\n",
        '{{< figure src="/images/public-consultation.png" >}}\n',
        "    for %%i in (*.txt) do echo %%i\n",
        "Run:\n\n    {% if internal %}\n",
        "A span: ``{% if internal %}`` here.\n",
        "Costs fell 40%% this year, and {braces} stay.\n",
    ],
)
def test_that_syntax_is_left_alone_as_code_or_naming_nothing_hidden(text: str) -> None:
    assert strip_level_blocks(text, audience=PUBLIC, levels=LEVELS) == (text, [], [])


def test_a_body_without_comments_is_untouched() -> None:
    assert strip_level_blocks("Plain.\n", audience=PUBLIC, levels=LEVELS) == ("Plain.\n", [], [])
