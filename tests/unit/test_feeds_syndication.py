"""Syndication profiles: one feed per platform, cut and dressed as that platform wants it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from tests.conftest import NOW, MakeSite, post

from journeyblog.config import Syndication, load_config
from journeyblog.feeds import feed_scopes, render_feeds, render_syndication, syndication_scope
from journeyblog.model import Site
from journeyblog.site import Selection, assemble
from journeyblog.sources import discover

HUB = "https://hub.example.org/"


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    site_dir = make_site(
        {
            "content/posts/cloud/01-start.md": post(
                "Starting out", date="2016-01-04", series="cloud", part=1, tags=["Cloud"]
            ),
            "content/posts/cloud/02-email.md": post(
                "Email",
                date="2016-02-01",
                series="cloud",
                part=2,
                summary="Moving the council's email.",
                body="See [part 1](../start/).\n",
            ),
            "content/posts/other.md": post("Standalone thoughts", date="2016-03-01"),
            "content/posts/cloud/03-internal.md": post(
                "Staff only", date="2016-04-01", series="cloud", part=3, security="Internal"
            ),
        }
    )
    return _assembled(site_dir)


def _assembled(site_dir: Path) -> Site:
    config = load_config(site_dir)
    sources, errors = discover(site_dir)
    site, site_errors = assemble(config, sources, selection=Selection(now=NOW))
    assert not errors and not site_errors, [*errors, *site_errors]
    return site


def test_a_series_filter_keeps_only_that_series_newest_first(site: Site) -> None:
    profile = Syndication(name="hub", title="Hub", series=("cloud",))
    scope = syndication_scope(site, profile, feed_size=20)
    assert [post.slug for post in scope.posts] == ["email", "start"]


def test_no_filter_takes_every_published_post_up_to_feed_size(site: Site) -> None:
    profile = Syndication(name="all", title="All")
    assert [p.slug for p in syndication_scope(site, profile, 20).posts] == [
        "other",
        "email",
        "start",
    ]
    assert [p.slug for p in syndication_scope(site, profile, 2).posts] == ["other", "email"]


def test_each_profile_is_written_under_syndication_in_its_format(site: Site) -> None:
    profiles = [
        Syndication(name="knowledge-hub", title="Hub", format="atom"),
        Syndication(name="linkedin", title="LinkedIn", format="rss"),
        Syndication(name="reader", title="Reader", format="json"),
    ]
    outputs = render_syndication(site, profiles, 20, None)
    assert [o.path for o in outputs] == [
        "syndication/knowledge-hub.xml",
        "syndication/linkedin.xml",
        "syndication/reader.json",
    ]
    atom, rss, json_feed = (o.data or b"" for o in outputs)
    assert feedparser.parse(atom).version == "atom10"
    assert feedparser.parse(rss).version == "rss20"
    assert json.loads(json_feed)["version"] == "https://jsonfeed.org/version/1.1"


def test_items_keep_the_ids_of_the_site_feed(site: Site) -> None:
    site_feed = render_feeds(site, feed_scopes(site, 20), formats=("atom",))[0]
    profile = Syndication(name="linkedin", title="LinkedIn", format="rss", content="summary")
    syndicated = render_syndication(site, [profile], 20, None)[0]
    site_ids = [entry.id for entry in feedparser.parse(site_feed.data).entries]
    syndicated_ids = [entry.id for entry in feedparser.parse(syndicated.data).entries]
    assert syndicated_ids == site_ids
    assert all(item_id.startswith("tag:blog.test.example,") for item_id in site_ids)


def test_full_content_carries_the_footer_with_a_link_to_the_post(site: Site) -> None:
    profile = Syndication(
        name="knowledge-hub",
        title="Knowledge hub",
        series=("cloud",),
        footer="Originally published at {url}",
    )
    feed = feedparser.parse(render_syndication(site, [profile], 20, None)[0].data)
    email = feed.entries[0]
    html = email.content[0].value
    assert 'See <a href="https://blog.test.example/posts/start/">part 1</a>' in html
    assert (
        'Originally published at <a href="https://blog.test.example/posts/email/">'
        "https://blog.test.example/posts/email/</a>"
    ) in html


def test_summary_content_links_with_utm_tags_naming_the_series(site: Site) -> None:
    profile = Syndication(
        name="linkedin",
        title="LinkedIn",
        format="rss",
        content="summary",
        utm=(("source", "linkedin"), ("medium", "social"), ("campaign", "{series}")),
    )
    feed = feedparser.parse(render_syndication(site, [profile], 20, None)[0].data)
    by_title = {entry.title: entry for entry in feed.entries}
    email = by_title["Journey to the Cloud, part 2: Email"]
    query = parse_qs(urlsplit(email.link).query)
    assert query == {
        "utm_source": ["linkedin"],
        "utm_medium": ["social"],
        "utm_campaign": ["cloud"],
    }
    content = email.content[0].value
    assert "Moving the council" in content and "See" not in content  # summary, not body
    assert email.link in content.replace("&amp;", "&")
    standalone = parse_qs(urlsplit(by_title["Standalone thoughts"].link).query)
    assert standalone["utm_campaign"] == ["standalone"]


def test_a_websub_hub_is_announced_in_atom_rss_and_json(site: Site) -> None:
    profiles = [
        Syndication(name=f"p-{fmt}", title=fmt, format=fmt) for fmt in ("atom", "rss", "json")
    ]
    atom, rss, json_feed = (o.data or b"" for o in render_syndication(site, profiles, 20, HUB))
    for xml in (atom, rss):
        links = feedparser.parse(xml).feed.links
        assert {"rel": "hub", "href": HUB} in [{"rel": x.rel, "href": x.href} for x in links]
    assert json.loads(json_feed)["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_the_rss_channel_link_is_the_site_not_the_hub(site: Site) -> None:
    profile = Syndication(name="linkedin", title="LinkedIn", format="rss")
    rss = feedparser.parse(render_syndication(site, [profile], 20, HUB)[0].data)
    assert rss.feed.link == "https://blog.test.example/"
