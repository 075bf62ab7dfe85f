"""The audit's matching: every canary found, in every form, however canaries overlap."""

from __future__ import annotations

from pathlib import Path

from journeyblog.audit import Auditor, audit_outputs
from journeyblog.model import Output, Withheld


def _withheld(name: str, **canaries: str) -> Withheld:
    return Withheld(
        source=Path(f"content/posts/{name}.md"),
        reason="level",
        canaries=tuple(canaries.items()),
    )


def _page(text: str, path: str = "index.html") -> Output:
    return Output(path, text.encode("utf-8"))


def test_a_canary_is_found_in_its_html_escaped_form() -> None:
    secret = _withheld("budget", title="Rory's budget & the 2027 cuts")
    page = _page("<h1>Rory&#x27;s budget &amp; the 2027 cuts</h1>")

    findings = audit_outputs([page], [secret], published_text="")

    assert [(f.output, f.source, f.what) for f in findings] == [
        ("index.html", secret.source, "title")
    ]


def test_a_canary_is_found_in_its_json_form() -> None:
    secret = _withheld("quote", title='The "quiet" migration \u2013 phase two')
    feed = _page('{"title": "The \\"quiet\\" migration \\u2013 phase two"}', "feed.json")

    assert [f.what for f in audit_outputs([feed], [secret], published_text="")] == ["title"]


def test_two_withheld_posts_with_the_same_title_are_both_reported() -> None:
    first = _withheld("a", title="Firewall renewal options")
    second = _withheld("b", title="Firewall renewal options")
    page = _page("<p>Firewall renewal options</p>")

    findings = audit_outputs([page], [first, second], published_text="")

    assert {f.source for f in findings} == {first.source, second.source}


def test_a_canary_published_elsewhere_does_not_hide_an_overlapping_leak() -> None:
    # "Cloud migration plan" is also a public post's title, so its finding is dropped; the
    # withheld summary that overlaps it in the page is a leak and must still be found.
    secret = _withheld(
        "internal",
        title="Cloud migration plan",
        summary="migration plan for payroll in March",
    )
    page = _page("<p>Cloud migration plan for payroll in March</p>")
    published = "<h1>Cloud migration plan</h1>"

    findings = audit_outputs([page], [secret], published_text=published)

    assert [f.what for f in findings] == ["summary"]


def test_text_of_files_copied_as_they_are_is_not_searched() -> None:
    secret = _withheld("x", title="Data centre exit")
    copied = Output("css/site.css", source=Path("static/css/site.css"))

    auditor = Auditor([secret], "")
    auditor.scan(copied)

    assert auditor.findings == []


def test_a_clean_output_has_no_findings() -> None:
    secret = _withheld("x", title="Data centre exit", id="tag:example.org,2026:x")
    page = _page("<p>Nothing to see: a public post about printers.</p>")

    assert audit_outputs([page], [secret], published_text="") == []


def test_the_automaton_chosen_for_a_few_outputs_finds_exactly_what_the_other_finds() -> None:
    secrets = [
        _withheld("budget", title="Rory's budget & the 2027 cuts", summary="cuts to the desk"),
        _withheld("cloud", title="Cloud migration plan", summary="migration plan for payroll"),
        _withheld("quote", title='The "quiet" migration \u2013 phase two'),
    ]
    outputs = [
        _page("<h1>Rory&#x27;s budget &amp; the 2027 cuts</h1><p>cuts to the desk</p>"),
        _page("<p>Cloud migration plan for payroll in March</p>", "posts/a/index.html"),
        _page('{"title": "The \\"quiet\\" migration \\u2013 phase two"}', "feed.json"),
        _page("<p>Nothing to see here.</p>", "posts/b/index.html"),
    ]

    def findings(few_outputs: bool) -> list[tuple[str, Path, str, str]]:
        auditor = Auditor(secrets, "", few_outputs=few_outputs)
        for output in outputs:
            auditor.scan(output)
        return sorted((f.output, f.source, f.what, f.canary) for f in auditor.findings)

    found = findings(few_outputs=True)
    assert found == findings(few_outputs=False)
    assert {(output, what) for output, _, what, _ in found} == {
        ("index.html", "title"),
        ("index.html", "summary"),
        ("posts/a/index.html", "title"),
        ("posts/a/index.html", "summary"),
        ("feed.json", "title"),
    }
