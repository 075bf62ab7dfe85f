"""What is kept back stays the audit's alone: the audit looks for a kept-back block's text
in every output file, audits an output as it was built (drafts, future posts), and no
template sees what is withheld."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from tests.conftest import NOW, MakeSite, post

from journeyblog.cli import cli

SENTENCE = "The wombat contract is signed on the ninth of May for four million pounds."
MIXED = post(
    "Mixed",
    body=f"Everyone reads this.\n\n<!-- level: internal -->\n{SENTENCE}\n<!-- /level -->\n",
)


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli, [*arguments])


def build(site: Path) -> Result:
    return run("build", str(site), "--now", NOW.isoformat())


def test_the_audit_finds_a_removed_blocks_text_put_in_the_output(make_site: MakeSite) -> None:
    site = make_site({"content/posts/mixed.md": MIXED})
    assert build(site).exit_code == 0
    output = site / "output"
    assert not any(b"wombat" in path.read_bytes() for path in output.rglob("*") if path.is_file())
    with (output / "robots.txt").open("a", encoding="utf-8") as robots:
        robots.write(SENTENCE + "\n")

    result = run("audit", str(site), "--now", NOW.isoformat())

    assert result.exit_code == 1, result.output
    assert "robots.txt" in result.output and "mixed.md" in result.output


def test_a_template_sees_nothing_withheld(make_site: MakeSite) -> None:
    theme = "{% extends 'base.html' %}{% block main %}<p id='count'>{{ site.withheld|length }}"
    theme += " kept back.{% for item in site.withheld %}{{ item.texts[0]|safe }}{% endfor %}"
    theme += "{{ site._site.withheld|length }} behind."
    theme += "</p>{% endblock %}"
    site = make_site(
        {
            "content/posts/mixed.md": MIXED,
            "content/posts/staff.md": post("Staff notes", security="internal"),
            "themes/default/templates/404.html": theme,
        }
    )

    result = build(site)

    assert result.exit_code == 0, result.output
    page = (site / "output/404.html").read_text(encoding="utf-8")
    assert "<p id='count'>0 kept back.0 behind.</p>" in page


def test_an_output_built_with_drafts_is_audited_as_such(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/mixed.md": MIXED,
            "content/posts/draft.md": post("Draft plans", draft=True, body=SENTENCE + "\n"),
        }
    )
    assert run("build", str(site), "--now", NOW.isoformat(), "--drafts").exit_code == 0

    strict = run("audit", str(site), "--now", NOW.isoformat())
    as_built = run("audit", str(site), "--now", NOW.isoformat(), "--drafts")

    assert strict.exit_code == 1 and "draft.md" in strict.output
    assert as_built.exit_code == 0, as_built.output


def test_what_a_published_post_says_in_its_front_matter_is_no_leak(make_site: MakeSite) -> None:
    """A draft that repeats a published title: the title is published, by the other post."""
    title = "Budget review for the council services in May and June"
    site = make_site(
        {
            "content/posts/review.md": post(title, body="Published words.\n"),
            "content/posts/draft.md": post("Notes", draft=True, body=f"{title}, again.\n"),
        }
    )
    result = build(site)
    assert result.exit_code == 0, result.output
