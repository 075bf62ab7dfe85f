"""`journeyblog new` and `journeyblog init`: the files they write, and what they refuse.

Written files are read back with journeyblog.sources, as the build reads them, and the sites
they make are built with the real pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import NOW, SERIES, MakeSite, post

from journeyblog.build import BuildResult, check
from journeyblog.cli import cli
from journeyblog.errors import BuildFailed, OptionInvalid, SiteError
from journeyblog.scaffold import init_site, new_post, new_series, slugify
from journeyblog.sources import read_data_file, read_source

# 23:30 UTC on 30 June is already 1 July in London (BST): "today" is the site's today.
LATE = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
ONE_AUTHOR = "ann:\n  name: Ann\n  role: Director of Information Systems\n  organisation: Council\n"


def front_matter(path: Path) -> dict[str, Any]:
    source, error = read_source(path, "post")
    assert error is None and source is not None, error
    return dict(source.meta)


def refusal(error: pytest.ExceptionInfo[BuildFailed]) -> list[str]:
    return [str(e) for e in error.value.errors]


def test_next_part_of_a_series_takes_the_previous_parts_author_and_level(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
            "content/posts/cloud/02-email.md": post(
                "Email", series="cloud", part=2, author="ben", security="Internal", draft=True
            ),
        }
    )
    made = new_post(site, "Moving the data centre", series="cloud", now=LATE)
    assert made.path == site / "content/posts/cloud/03-moving-the-data-centre.md"
    assert (made.part, made.author, made.security) == (3, "ben", "Internal")
    assert front_matter(made.path) == {
        "title": "Moving the data centre",
        "date": "2026-07-01",
        "author": "ben",
        "security": "Internal",
        "series": "cloud",
        "part": 3,
        "tags": [],
        "summary": "",
        "id": "tag:blog.test.example,2026-07-01:posts/moving-the-data-centre",
        "draft": True,
    }


def test_parts_count_every_level_drafts_and_a_part_whose_front_matter_is_broken(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            "content/posts/cloud/01-start.md": post("Start", series="cloud", part=1),
            "content/posts/elsewhere.md": post(
                "Kept elsewhere", series="cloud", part=4, security="Restricted", draft=True
            ),
            "content/posts/cloud/07-half-written.md": "---\ntitle: [broken\n---\n",
        }
    )
    made = new_post(site, "Next", series="cloud", now=NOW)
    assert made.path.name == "08-next.md"
    # The broken part 7 has no author or level to copy: part 4's are taken.
    assert (made.author, made.security) == ("ann", "Restricted")


def test_a_post_without_a_series_goes_in_posts_with_the_only_author_and_lowest_level(
    make_site: MakeSite,
) -> None:
    site = make_site({"content/authors.yml": ONE_AUTHOR})
    made = new_post(site, "A standalone note", now=NOW)
    assert made.path == site / "content/posts/a-standalone-note.md"
    meta = front_matter(made.path)
    assert (meta["author"], meta["security"], meta["draft"]) == ("ann", "Public", True)
    assert "series" not in meta and "part" not in meta


def test_given_author_and_level_win_over_the_previous_part(make_site: MakeSite) -> None:
    site = make_site({"content/posts/cloud/01-start.md": post("Start", series="cloud", part=1)})
    made = new_post(site, "Two", series="cloud", author="ben", security="RESTRICTED", now=NOW)
    meta = front_matter(made.path)
    assert (meta["author"], meta["security"], meta["part"]) == ("ben", "Restricted", 2)


@pytest.mark.parametrize(
    "title",
    ['Part 4: the "hard" bit', "Ann's #1 lesson", "yes", "2016-07-29", "- a list?", "Léa & co"],
)
def test_titles_that_yaml_would_misread_are_kept_exactly(make_site: MakeSite, title: str) -> None:
    site = make_site({"content/authors.yml": ONE_AUTHOR})
    made = new_post(site, title, now=NOW)
    assert front_matter(made.path)["title"] == title


def test_the_new_post_builds_when_drafts_are_shown(
    make_site: MakeSite, build_site: Callable[..., BuildResult]
) -> None:
    site = make_site({"content/posts/cloud/01-start.md": post("Start", series="cloud", part=1)})
    made = new_post(site, "Part two: email", series="cloud", now=NOW)
    result = build_site(site, drafts=True)
    [built] = [p for p in result.site.posts if p.source == made.path]
    assert built.series is not None and built.series.part == 2
    assert built.url == "/posts/part-two-email/"
    assert [p.title for p in build_site(site).site.posts] == ["Start"]  # a draft until released


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"author": "zed"},
            r"--author: no author 'zed' in .*content/authors\.yml \(known: ann, ben\)",
        ),
        (
            {"author": "ann", "security": "secret"},
            r"--security: unknown security level 'secret' \(use one of: public, internal,"
            r" restricted\)",
        ),
        (
            {"author": "ann", "series": "nope"},
            r"--series: no series 'nope' in .*content/series\.yml \(known: cloud; add one with "
            r'`journeyblog new series nope "Title"`\)',
        ),
        (
            {"author": "ann", "series": "Cloud"},
            r"--series: no series 'Cloud' in .*content/series\.yml \(known: cloud; did you mean"
            r" cloud\?\)",
        ),
    ],
)
def test_an_option_it_cannot_resolve_is_a_usage_error_naming_the_option(
    make_site: MakeSite, options: dict[str, str], message: str
) -> None:
    site = make_site({})
    with pytest.raises(OptionInvalid) as error:
        new_post(site, "Anything", now=NOW, **options)
    [line] = refusal(error)
    assert re.fullmatch(message, line), line
    assert not (site / "content" / "posts").exists()


def test_never_overwrites_a_file(make_site: MakeSite) -> None:
    broken = "---\ntitle: [not yet valid\n---\nMy unsaved thoughts.\n"
    site = make_site({"content/authors.yml": ONE_AUTHOR, "content/posts/my-idea.md": broken})
    with pytest.raises(BuildFailed) as error:
        new_post(site, "My idea", now=NOW)
    assert refusal(error) == [
        f"{site}/content/posts/my-idea.md: already uses the slug 'my-idea' "
        "(choose another title for the new post)"
    ]
    assert (site / "content/posts/my-idea.md").read_text() == broken


def test_refuses_a_slug_another_post_publishes_under(make_site: MakeSite) -> None:
    site = make_site({"content/posts/cloud/01-email.md": post("Email", series="cloud", part=1)})
    with pytest.raises(BuildFailed) as error:
        new_post(site, "Email", author="ann", now=NOW)
    assert refusal(error)[0].startswith(f"{site}/content/posts/cloud/01-email.md: already uses")


def test_slugs_are_ascii_where_the_title_allows() -> None:
    assert slugify("Part 4: Léa\u2019s Cloud!") == "part-4-leas-cloud"
    assert slugify("Ann's  lessons -- learned") == "anns-lessons-learned"
    assert slugify("東京") == "東京"


def test_new_series_is_appended_and_a_taken_slug_refused(make_site: MakeSite) -> None:
    commented = "# Our series, newest last.\n" + SERIES.replace(
        "planned: 5", "planned: 5  # for now"
    )
    site = make_site({"content/series.yml": commented})
    before = (site / "content/series.yml").read_text()
    new_series(site, "identity", "Identity: who's who")
    text = (site / "content/series.yml").read_text()
    assert text.startswith(before)
    errors: list[SiteError] = []
    data = read_data_file(site / "content/series.yml", errors)
    assert errors == []
    assert data.data["identity"] == {"title": "Identity: who's who", "description": ""}
    assert data.data["cloud"]["title"] == "Journey to the Cloud"
    with pytest.raises(BuildFailed) as error:
        new_series(site, "cloud", "Again")
    assert refusal(error) == [
        f"{site}/content/series.yml:2: series 'cloud' already exists (write its next part with"
        ' `journeyblog new "Title" --series cloud`, or choose another slug)'
    ]
    with pytest.raises(BuildFailed) as error:
        new_series(site, "Zero Trust", "Zero trust")
    assert refusal(error)[0].endswith("(try zero-trust)")
    with pytest.raises(BuildFailed) as error:
        new_series(site, "zero-trust", " ")
    assert refusal(error)[0].endswith('(write: journeyblog new series zero-trust "Its title")')


def test_init_makes_a_site_that_builds_at_once(
    tmp_path: Path, build_site: Callable[..., BuildResult]
) -> None:
    target = tmp_path / "northbridge-notes"
    written = init_site(target, now=NOW)
    relative = sorted(p.relative_to(target).as_posix() for p in written)
    assert relative == [
        ".gitignore",
        "content/authors.yml",
        "content/pages/about.md",
        "content/posts/our-journey/01-where-we-started.md",
        "content/series.yml",
        "journeyblog.toml",
    ]
    assert (target / ".gitignore").read_text().splitlines()[:1] == ["output/"]
    assert ".journeyblog-cache/" in (target / ".gitignore").read_text()
    assert check(target, now=NOW) == []  # not even a warning
    result = build_site(target)
    assert result.site.info.title == "Northbridge Notes"
    assert [p.title for p in result.site.posts] == ["Where we started"]
    assert [p.title for p in result.site.pages] == ["About"]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BuildFailed) as error:
        init_site(tmp_path)
    assert refusal(error) == [f"{tmp_path}: is not an empty folder (choose a new or empty one)"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_then_new_then_build_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    site = tmp_path / "blog"
    result = runner.invoke(cli, ["init", str(site)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Created a new site in {site} (6 files). Next:",
        f"  cd {site}",
        "  journeyblog serve",
    ]

    result = runner.invoke(cli, ["new", "series", "identity", "Who's who", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Added series 'identity' to {site}/content/series.yml\n"

    args = ["new", "The next step", "--series", "our-journey", "--site", str(site)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    path = site / "content/posts/our-journey/02-the-next-step.md"
    assert result.stdout == f"Created {path} (part 2 of our-journey, by you, Public, draft)\n"

    again = runner.invoke(cli, args)
    assert again.exit_code == 1
    assert again.stderr == (
        f"{path}: already uses the slug 'the-next-step' (choose another title for the new post)\n"
    )

    unknown = runner.invoke(cli, ["new", str(site), "X", "--series", "nope"])
    assert unknown.exit_code == 2 and "Invalid value for '--series'" in unknown.stderr
    assert "no series 'nope'" in unknown.stderr

    usage = runner.invoke(cli, ["new", "series", "only-a-slug", "--site", str(site)])
    assert usage.exit_code == 2 and 'journeyblog new series SLUG "Title"' in usage.stderr

    result = runner.invoke(cli, ["build", str(site), "--drafts"])
    assert result.exit_code == 0, result.output
    assert re.match(
        r"Built \d+ pages, \d+ feeds in .* \(2 posts for audience public;", result.stdout
    )
    assert (site / "output/posts/the-next-step/index.html").is_file()
    assert (site / "output/posts/where-we-started/index.html").is_file()

    plain = runner.invoke(cli, ["build", str(site)])  # the new part is a draft until edited
    assert plain.exit_code == 0 and "(1 post for audience public;" in plain.stdout
    assert not (site / "output/posts/the-next-step").exists()

    refused = runner.invoke(cli, ["init", str(site)])
    assert refused.exit_code == 1
    assert refused.stderr == f"{site}: is not an empty folder (choose a new or empty one)\n"
