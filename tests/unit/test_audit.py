"""The audit's matching: every canary found, in every form, however canaries overlap."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest

from journeyblog import audit
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

    findings = audit_outputs([page], [secret], published_text="", published_slugs=())

    assert [(f.output, f.source, f.what) for f in findings] == [
        ("index.html", secret.source, "title")
    ]


def test_a_canary_is_found_in_its_json_form() -> None:
    secret = _withheld("quote", title='The "quiet" migration \u2013 phase two')
    feed = _page('{"title": "The \\"quiet\\" migration \\u2013 phase two"}', "feed.json")

    assert [
        f.what for f in audit_outputs([feed], [secret], published_text="", published_slugs=())
    ] == ["title"]


def test_two_withheld_posts_with_the_same_title_are_both_reported() -> None:
    first = _withheld("a", title="Firewall renewal options")
    second = _withheld("b", title="Firewall renewal options")
    page = _page("<p>Firewall renewal options</p>")

    findings = audit_outputs([page], [first, second], published_text="", published_slugs=())

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

    findings = audit_outputs([page], [secret], published_text=published, published_slugs=())

    assert [f.what for f in findings] == ["summary"]


def test_text_files_copied_as_they_are_are_searched_too(tmp_path: Path) -> None:
    secret = _withheld("x", title="Data centre exit")
    (tmp_path / "notes.txt").write_text("Our Data centre exit plan.\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"Data centre exit")  # not text: not read

    auditor = Auditor([secret], "", published_slugs=())
    auditor.scan(Output("notes.txt", source=tmp_path / "notes.txt"))
    auditor.scan(Output("logo.png", source=tmp_path / "logo.png"))

    assert [(f.output, f.what) for f in auditor.findings] == [("notes.txt", "title")]


def test_a_clean_output_has_no_findings() -> None:
    secret = _withheld("x", title="Data centre exit", id="tag:example.org,2026:x")
    page = _page("<p>Nothing to see: a public post about printers.</p>")

    assert audit_outputs([page], [secret], published_text="", published_slugs=()) == []


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
        auditor = Auditor(secrets, "", published_slugs=(), few_outputs=few_outputs)
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


# ---------------------------------------------------------------- runs of 8 words

BODY = (
    "<p>In March the board agreed to close the Riverside data centre, saving "
    "£1.2m a year; Ann O&#39;Reilly &amp; the estates team will move 212 servers "
    "over the summer.</p>\n<p>Nobody outside IT knows the date yet.</p>\n"
)


def _body(name: str = "plans") -> Withheld:
    return Withheld(
        source=Path(f"content/posts/{name}.md"), reason="level", canaries=(), texts=(BODY,)
    )


def _words(text: str, path: str = "posts/public/index.html") -> list[tuple[str, str]]:
    found = audit_outputs([_page(text, path)], [_body()], published_text="", published_slugs=())
    return [(f.output, f.what) for f in found]


def test_eight_words_of_a_withheld_body_are_found_wherever_they_stand() -> None:
    assert _words("<p>…the estates team will move 212 servers over the summer.</p>") == [
        ("posts/public/index.html", "words")
    ]


def test_fewer_than_eight_words_are_not_a_finding() -> None:
    assert _words("<p>the estates team will move 212 servers</p>") == []


def test_case_spacing_line_breaks_and_punctuation_do_not_hide_a_run() -> None:
    assert _words("<p>CLOSE THE RIVERSIDE DATA\nCENTRE -- saving £1.2m, a year!</p>")
    assert _words("<p>close the riverside data centre saving 1 2m a year</p>")


def test_a_run_is_found_escaped_for_xml_json_and_urls() -> None:
    xml = (
        "<content type='html'>&lt;p&gt;agreed to close the Riverside data centre, saving</content>"
    )
    assert _words(xml, "feed.xml") == [("feed.xml", "words")]
    json_feed = '{"content_html": "Ann O\'Reilly \\u0026 the estates team will move 212 servers"}'
    assert _words(json_feed, "feed.json") == [("feed.json", "words")]
    url = (
        '<a href="mailto:?body=agreed%20to%20close%20the%20Riverside%20data%20centre%2C'
        '%20saving">x</a>'
    )
    assert _words(url) == [("posts/public/index.html", "words")]


def test_a_run_that_is_published_text_too_is_not_a_finding() -> None:
    quoted = "<p>In March the board agreed to close the Riverside data centre.</p>"
    page = _page(quoted, "posts/public/index.html")
    found = audit_outputs([page], [_body()], published_text=quoted, published_slugs=())
    assert found == []  # the public post says it too
    found = audit_outputs(
        [page], [_body()], published_text="In March the board agreed", published_slugs=()
    )
    assert [f.what for f in found] == ["words"]


def test_the_bytes_of_a_withheld_picture_are_found_under_any_name() -> None:
    picture = b"\x89PNG\r\n\x1a\nsecret plan pixels"
    item = Withheld(source=Path("content/posts/plans.md"), reason="level", canaries=())
    auditor = Auditor([item], "", published_slugs=(), pictures=[(picture, item)])
    auditor.scan(Output("images/renamed.png", picture))
    auditor.scan(Output("images/other.png", picture + b"!"))
    assert [(f.output, f.what) for f in auditor.findings] == [("images/renamed.png", "picture")]


def test_the_digest_changes_with_what_is_withheld() -> None:
    assert (
        Auditor([_body()], "", published_slugs=()).digest
        == Auditor([_body("other")], "", published_slugs=()).digest
    )
    changed = Withheld(
        source=Path("content/posts/plans.md"),
        reason="level",
        canaries=(),
        texts=(BODY + "<p>And more words than eight are added here now.</p>",),
    )
    assert (
        Auditor([changed], "", published_slugs=()).digest
        != Auditor([_body()], "", published_slugs=()).digest
    )


def test_words_are_matched_whole_not_as_letters_run_together() -> None:
    # The withheld title says "(3) - 7"; a public page says "(37)": the same letters and
    # digits, other words.
    title = "Running Kubernetes at City Scale (3) \u2013 7: at the board meeting"
    item = Withheld(source=Path("content/posts/k.md"), reason="level", canaries=(), texts=(title,))
    page = _page("<h1>Running Kubernetes at City Scale (37) \u2013 2: at the board meeting</h1>")
    assert audit_outputs([page], [item], published_text="", published_slugs=()) == []
    page = _page("<h1>Running Kubernetes at City Scale (3) - 7: at the board</h1>")
    assert [
        f.what for f in audit_outputs([page], [item], published_text="", published_slugs=())
    ] == ["words"]


@pytest.mark.parametrize("native", [True, False], ids=["_words.c", "python"])
def test_runs_are_found_alike_with_and_without_the_native_loop(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not native:
        monkeypatch.setattr(audit, "_native", None)
    elif audit._native is None:
        pytest.skip("_words.c is built by pip install")
    pages = {
        "a.html": "<p>…the estates team will move 212 servers over the summer.</p>",
        "b.xml": "&lt;p&gt;agreed to close the Riverside data centre, saving&lt;/p&gt;",
        "c.json": '{"t": "Ann O\\u0027Reilly \\u0026 the estates team will move 212 servers"}',
        "d.html": "<p>the estates team will move 212 servers</p>",  # seven words
        "e.html": "<p>CLOSE THE RIVERSIDE DATA\nCENTRE -- saving £1.2m, a year!</p>",
    }
    found = audit_outputs(
        [_page(text, path) for path, text in pages.items()],
        [_body()],
        published_text="",
        published_slugs=(),
    )
    assert sorted(f.output for f in found) == ["a.html", "b.xml", "c.json", "e.html"]


_RUN = "the payroll contract ends in march and nobody has told the unions yet"


def _secret_with_text() -> Withheld:
    return Withheld(
        source=Path("content/posts/payroll.md"),
        reason="level",
        canaries=(("title", "Payroll contract exit"),),
        texts=(f"<p>{_RUN}</p>",),
    )


def _zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("path", "pack"),
    [
        ("posts/a/index.html.gz", gzip.compress),
        ("posts/a/index.html.br", brotli.compress),
        ("feed.xml.gz", gzip.compress),
    ],
)
def test_a_compressed_copy_is_read_decompressed(path: str, pack: Callable[[bytes], bytes]) -> None:
    secret = _secret_with_text()
    for text in ("<h1>Payroll contract exit</h1>", f"<p>Said: {_RUN}.</p>"):
        findings = audit_outputs(
            [Output(path, pack(text.encode()))], [secret], published_text="", published_slugs=()
        )
        assert [(f.output, f.source) for f in findings] == [(path, secret.source)]
    clean = Output(path, pack(b"<p>Nothing withheld here at all.</p>"))
    assert audit_outputs([clean], [secret], published_text="", published_slugs=()) == []


def test_every_entry_of_an_epub_is_read_decompressed() -> None:
    secret = _secret_with_text()
    clean = {"mimetype": b"application/epub+zip", "EPUB/part-1.xhtml": b"<p>Public words.</p>"}
    book = "series/cloud/cloud.epub"

    assert (
        audit_outputs(
            [Output(book, _zipped(clean))], [secret], published_text="", published_slugs=()
        )
        == []
    )
    planted = {**clean, "EPUB/part-2.xhtml": f"<p>{_RUN}</p>".encode()}
    findings = audit_outputs(
        [Output(book, _zipped(planted))], [secret], published_text="", published_slugs=()
    )
    assert [(f.output, f.what) for f in findings] == [(book, "words")]


def test_a_packed_file_that_does_not_unpack_is_a_finding_not_a_pass() -> None:
    secret = _secret_with_text()
    for path in ("index.html.gz", "index.html.br", "series/a/a.epub"):
        findings = audit_outputs(
            [Output(path, b"not packed at all")], [secret], published_text="", published_slugs=()
        )
        assert [str(f) for f in findings] == [
            f"{path}: cannot be unpacked to be audited (build again, or remove it)"
        ]
