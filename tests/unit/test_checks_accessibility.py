"""`journeyblog check` warns authors about what makes a post hard to use with a screen reader."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from tests.conftest import NOW, MakeSite, post

from journeyblog.build import check
from journeyblog.cli import cli

BODY = """\
Intro with a [report](/posts/other/).

![](/images/map.png)

## Section

#### Too deep

For the details [click here](https://example.org/a) or [Read more…](https://example.org/b),
and a [here](https://example.org/c) on the next line.

# A second title
"""


def _accessibility(site_dir: Path, text: tuple[str, ...]) -> list[str]:
    return [
        str(warning).replace(str(site_dir) + "/", "")
        for warning in check(site_dir, now=NOW)
        if any(word in warning.message for word in text)
    ]


def test_each_problem_is_pointed_at_by_file_and_line(make_site: MakeSite) -> None:
    site = make_site({"content/posts/a.md": post("A", body=BODY)})
    # The body starts on line 8, after six lines of front matter and a blank line.
    found = _accessibility(site, ("alt text", "heading", "link with"))
    assert sorted(found) == [  # sorted as strings: 'R' before 'c'
        "content/posts/a.md:10: warning: image /images/map.png has no alt text "
        "(describe it: ![What the picture shows](/images/map.png))",
        "content/posts/a.md:14: warning: heading level skipped: #### after ## "
        "(use ###, so screen-reader users keep their place)",
        "content/posts/a.md:16: warning: link with 'Read more…' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:16: warning: link with 'click here' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:17: warning: link with 'here' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:19: warning: a '#' heading in the body: the title is the page's "
        "only h1 (use '##')",
    ]


def test_a_well_made_post_and_page_have_no_warning(make_site: MakeSite) -> None:
    body = (
        "Read [the cloud strategy](https://example.org/s).\n\n"
        "![The council's three data centres on a map](https://example.org/m.png)\n\n"
        "## One\n\n### One point one\n\n## Two\n\n```md\n# not a heading\n```\n"
    )
    site = make_site(
        {
            "content/posts/a.md": post("A", body=body),
            "content/pages/about.md": "---\ntitle: About\n---\n\n## Who we are\n\nPeople.\n",
        }
    )
    assert _accessibility(site, ("alt", "heading", "link with")) == []


def test_internal_posts_and_pages_are_checked_too(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/a.md": post("A", security="Internal", body="### Deep first\n"),
            "content/pages/p.md": '---\ntitle: P\n---\n\nSee <img src="/x.png"> here.\n',
        }
    )
    found = _accessibility(site, ("heading", "alt"))
    assert sorted(found) == [
        'content/pages/p.md:5: warning: image <img src="/x.png"> has no alt attribute '
        '(add alt="what the picture shows")',
        "content/posts/a.md:8: warning: heading level skipped: ### after # "
        "(use ##, so screen-reader users keep their place)",
    ]


def test_check_command_prints_them(make_site: MakeSite) -> None:
    site = make_site({"content/posts/a.md": post("A", body="See [here](https://example.org).\n")})
    result = CliRunner().invoke(cli, ["check", str(site), "--now", NOW.isoformat()])
    assert "a.md:8: warning: link with 'here'" in result.output


def test_vague_links_are_found_however_they_are_written(make_site: MakeSite) -> None:
    body = (
        "[Click Here!](https://example.org/a) and [**here**][ref].\n\n"
        "| Report | Link |\n|---|---|\n| 2024 | [here](https://example.org/t) |\n\n"
        "[![](/images/logo.png)](https://example.org/home)\n\n"
        "[The 2024 strategy, read it here](https://example.org/s) is fine.\n\n"
        "[ref]: https://example.org/r\n"
    )
    site = make_site({"content/posts/a.md": post("A", body=body)})
    # Sorted as strings, so lines 12 and 14 come before line 8; the table row is line 12.
    assert sorted(_accessibility(site, ("alt text", "link with"))) == [
        "content/posts/a.md:12: warning: link with 'here' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:14: warning: image /images/logo.png has no alt text "
        "(describe it: ![What the picture shows](/images/logo.png))",
        "content/posts/a.md:14: warning: link with no text (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:8: warning: link with 'Click Here!' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
        "content/posts/a.md:8: warning: link with 'here' (say where it goes: "
        "[the 2024 cloud strategy](...), not [here](...))",
    ]
