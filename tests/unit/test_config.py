"""config.py: journeyblog.toml -> SiteConfig, every problem reported at its line."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journeyblog.config import SiteConfig, load_config, parse_config
from journeyblog.errors import BuildFailed

PATH = Path("site/journeyblog.toml")


def _errors(raw: dict[str, object], text: str = "") -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        parse_config(raw, text=text, path=PATH)
    return [str(error) for error in failure.value.errors]


def test_defaults_are_the_documented_ones() -> None:
    config = parse_config({"title": "Notes", "base_url": "https://example.org"}, path=PATH)
    assert config == SiteConfig(title="Notes", base_url="https://example.org/")
    assert config.language == "en-GB"
    assert config.timezone == ZoneInfo("Europe/London")
    assert config.security_levels == ("public", "internal", "restricted")
    assert config.audience == "public"
    assert config.theme == "default"
    assert config.allow_raw_html is False
    assert config.base_path == "/"


@pytest.mark.parametrize(
    ("base_url", "expected_url", "expected_path"),
    [
        ("https://example.org/blog", "https://example.org/blog/", "/blog/"),
        ("https://example.org/blog/", "https://example.org/blog/", "/blog/"),
        ("http://localhost:8000/", "http://localhost:8000/", "/"),
    ],
)
def test_base_url_ends_with_a_slash_and_gives_the_base_path(
    base_url: str, expected_url: str, expected_path: str
) -> None:
    config = parse_config({"title": "T", "base_url": base_url}, path=PATH)
    assert config.base_url == expected_url
    assert config.base_path == expected_path


@pytest.mark.parametrize(
    ("base_url", "said"),
    [
        ("https://editor:hunter2@example.org/", "user name or password"),
        ("https://example.org:99999/", "port that is no port"),
        ("https://exa mple.org/", "host that is no host name"),
    ],
)
def test_a_base_url_every_page_would_repeat_wrongly_is_refused(base_url: str, said: str) -> None:
    [error] = _errors({"title": "T", "base_url": base_url})
    assert said in error


def test_levels_and_audience_are_case_insensitive() -> None:
    config = parse_config(
        {
            "title": "T",
            "base_url": "https://example.org/",
            "security_levels": ["Public", " OFFICIAL "],
            "audience": "Official",
        },
        path=PATH,
    )
    assert config.security_levels == ("public", "official")
    assert config.audience == "official"


def test_every_problem_is_reported_at_its_line_together() -> None:
    text = 'title = ""\nbase_url = "example.org"\ntitel = "typo"\nposts_per_page = 0\n'
    raw = {"title": "", "base_url": "example.org", "titel": "typo", "posts_per_page": 0}
    errors = _errors(raw, text)
    assert len(errors) == 4
    assert errors[0].startswith("site/journeyblog.toml:1: 'title' is required")
    assert errors[1].startswith("site/journeyblog.toml:2: 'base_url' must be an absolute")
    assert errors[2].startswith("site/journeyblog.toml:3: unknown setting 'titel'")
    assert errors[3].startswith("site/journeyblog.toml:4: 'posts_per_page' must be a whole")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
        ("audience", "secret", "audience 'secret' is not one of security_levels"),
        ("security_levels", [], "'security_levels' must be a list of names"),
        ("security_levels", ["public", "Public"], "names a level twice"),
        ("posts_per_page", True, "'posts_per_page' must be a whole number"),
        ("allow_raw_html", "yes", "'allow_raw_html' must be true or false"),
        ("theme", "../evil", "is not a folder name under themes/"),
        ("base_url", "ftp://example.org/", "'base_url' must be an absolute http(s) URL"),
    ],
)
def test_bad_values_are_refused(key: str, value: object, message: str) -> None:
    raw = {"title": "T", "base_url": "https://example.org/", key: value}
    errors = _errors(raw)
    assert any(message in error for error in errors), errors


def test_control_characters_no_feed_can_carry_are_refused_at_their_line(tmp_path: Path) -> None:
    # TOML allows them only as escapes; the site title and descriptions end up in every feed.
    text = (
        'title = "Council\\u000bNotes"\nbase_url = "https://example.org/"\n'
        'description = "A\\u0001"\n\n[syndication.hub]\nfooter = "From \\u000c{url}"\n'
    )
    (tmp_path / "journeyblog.toml").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)
    lines = [(error.line, error.message) for error in failure.value.errors]
    assert [line for line, _ in lines] == [1, 3, 5]
    assert ["U+000B" in lines[0][1], "U+0001" in lines[1][1], "U+000C" in lines[2][1]] == [
        True,
        True,
        True,
    ]


def test_load_config_reads_a_file_with_a_bom_and_crlf(tmp_path: Path) -> None:
    text = '\ufefftitle = "Café & Co"\r\nbase_url = "https://example.org/blog/"\r\n'
    (tmp_path / "journeyblog.toml").write_bytes(text.encode("utf-8"))
    config = load_config(tmp_path)
    assert config.title == "Café & Co"
    assert config.base_path == "/blog/"


def test_load_config_base_url_override_wins(tmp_path: Path) -> None:
    (tmp_path / "journeyblog.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\n', encoding="utf-8"
    )
    config = load_config(tmp_path, base_url="https://staging.example.org/preview")
    assert config.base_url == "https://staging.example.org/preview/"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "journeyblog.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\nposts_per_page = = 3\n',
        encoding="utf-8",
    )
    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)
    [error] = failure.value.errors
    assert error.line == 3
    assert error.message.startswith("invalid TOML")


def test_toml_nested_too_deeply_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "journeyblog.toml").write_text(
        'title = "T"\nx = ' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8"
    )
    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)
    [error] = failure.value.errors
    assert error.message.startswith("invalid TOML: nested too deeply")


def test_missing_config_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)
    [error] = failure.value.errors
    assert error.path == tmp_path / "journeyblog.toml"
    assert "no journeyblog.toml here" in error.message


def test_non_utf8_config_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "journeyblog.toml").write_bytes(b'title = "Caf\xe9"\n')
    with pytest.raises(BuildFailed) as failure:
        load_config(tmp_path)
    assert "not UTF-8" in failure.value.errors[0].message
