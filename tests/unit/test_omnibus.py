"""omnibus.rewrite: a part's body made ready to stand in one document with the others."""

from __future__ import annotations

from journeyblog.omnibus import anchor_of, ids_in, rewrite, says_part


def _rewrite(html: str, number: int = 3, shift: int = 1) -> str:
    return rewrite(
        html,
        number=number,
        ids=ids_in(html),
        link=lambda href: f"LINK({href})",
        picture=lambda src: f"PIC({src})",
        shift=shift,
    )


def test_ids_and_what_points_at_them_are_prefixed() -> None:
    html = (
        '<h2 id="costs">Costs</h2><p><a href="#costs">up</a><sup><a href="#fn1" id="fnref1">'
        '[1]</a></sup></p><li id="fn1"><a href="#fnref1">back</a></li>'
        '<label for="costs" aria-describedby="fn1 other">x</label>'
    )
    assert _rewrite(html) == (
        '<h3 id="part-3-costs">Costs</h3><p><a href="#part-3-costs">up</a><sup>'
        '<a href="#part-3-fn1" id="part-3-fnref1">[1]</a></sup></p><li id="part-3-fn1">'
        '<a href="#part-3-fnref1">back</a></li>'
        '<label for="part-3-costs" aria-describedby="part-3-fn1 other">x</label>'
    )


def test_an_anchor_the_part_does_not_have_leads_to_the_parts_own_heading() -> None:
    assert _rewrite('<a href="#nowhere">x</a>') == f'<a href="#{anchor_of(3)}">x</a>'


def test_links_and_pictures_go_through_the_callers_choice() -> None:
    html = (
        '<a href=\'/posts/x/\'>x</a><img src="/a.png" alt="a">'
        '<img srcset="/a.480w.png 480w, /a.png 800w" src="/a.png">'
    )
    assert _rewrite(html) == (
        '<a href="LINK(/posts/x/)">x</a><img src="PIC(/a.png)" alt="a">'
        '<img srcset="PIC(/a.480w.png) 480w, PIC(/a.png) 800w" src="PIC(/a.png)">'
    )


def test_headings_move_down_by_shift_and_never_below_h6() -> None:
    assert _rewrite("<h5>a</h5><h6>b</h6>", shift=1) == "<h6>a</h6><h6>b</h6>"
    assert _rewrite('<h2 id="a">a</h2>', shift=0) == '<h2 id="part-3-a">a</h2>'


def test_text_comments_and_scripts_are_left_as_they_are() -> None:
    html = (
        '<p>id=&quot;x&quot; and href=&quot;#x&quot;</p><!-- <a href="#x"> -->'
        '<script>let a = \'<a id="x">\';</script><pre><code>&lt;h2 id="y"&gt;</code></pre>'
    )
    assert _rewrite(html) == html


def test_a_value_is_escaped_when_written_again() -> None:
    html = '<a href="/a?b=1&amp;c=&quot;2&quot;">x</a>'
    assert _rewrite(html) == '<a href="LINK(/a?b=1&amp;c=&quot;2&quot;)">x</a>'


def test_a_title_that_numbers_its_part_says_so() -> None:
    assert says_part("Zero Trust, Part 2: Checking Every Request", 2)
    assert says_part("Journey to the Cloud \N{EN DASH} 3: Identity", 3)
    assert not says_part("Moving 4,000 mailboxes", 4)
    assert not says_part("Part 12: later", 1)


def test_with_lazy_every_picture_not_said_otherwise_is_loaded_lazily() -> None:
    html = (
        '<p><img src="/a.png" alt="a"></p><img src="/b.png" loading="eager" /><img src="/c.png" />'
    )
    assert rewrite(html, number=2, ids=set(), link=str, picture=str, lazy=True) == (
        '<p><img src="/a.png" alt="a" loading="lazy" decoding="async"></p>'
        '<img src="/b.png" loading="eager" /><img src="/c.png" loading="lazy" decoding="async" />'
    )


def test_tags_passed_over_unread_are_exactly_those_nothing_would_change() -> None:
    # The tag scanner skips tags with no attributes (but headings and pictures) and leaves
    # tags whose attributes cannot change as written: checked against every tag read whole,
    # over random tag soup of the kinds a body holds.
    import random
    import re

    from journeyblog import omnibus

    every_tag = re.compile(
        r"""<!--.*?-->"""
        r"""|<(?P<raw>script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>.*?</(?P=raw)\s*>"""
        r"""|<(?P<end>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attributes>(?:[^>"']|"[^"]*"|'[^']*')*)>""",
        re.IGNORECASE | re.DOTALL,
    )
    pieces = [
        "<p>",
        "</p >",
        "<P>",
        "<em>",
        "</em>",
        "<h2>",
        "<H3 >",
        "</h2>",
        "<img>",
        "<IMG/>",
        '<img src="a.png">',
        '<span class="k">',
        "</span>",
        '<a href="#x">',
        '<a href="/p/">',
        '<h2 id="x">',
        '<td style="text-align:right">',
        "<!-- <h2> -->",
        "<script>a<b</script>",
        '<label for="x">',
        '<div aria-labelledby="x y">',
        "<br/>",
        "<p<b>",
        "text ",
        "a>b ",
        '<source srcset="a.png 1x">',
        "<h7>",
        "<hr>",
        '<x-y data-id="x">',
        "<code-x>",
        '<p title="id=x">',
        "<a HREF=#x>",
        "<em\n>",
    ]
    rng = random.Random(5)
    for _ in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        for lazy in (False, True):
            args = {"number": 2, "link": lambda h: f"L{h}", "picture": lambda s: f"P{s}"}
            fast_ids = ids_in(html)
            fast = rewrite(html, ids=fast_ids, lazy=lazy, **args)
            scanner, may_change = omnibus._TAG, omnibus._MAY_CHANGE
            try:
                omnibus._TAG, omnibus._MAY_CHANGE = every_tag, re.compile("")
                whole = rewrite(html, ids=ids_in(html), lazy=lazy, **args)
                assert ids_in(html) == fast_ids, html
            finally:
                omnibus._TAG, omnibus._MAY_CHANGE = scanner, may_change
            assert fast == whole, html
