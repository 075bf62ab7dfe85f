"""The small site the browser tests build, with what real sites throw at a theme.

Two series: "cloud" (parts 1 to 3 of 5 planned) and "data", whose part 3 is internal, so a
public build shows parts 1, 2 and 4 of 6 (a gap, then planned parts). Long titles, emoji, "&",
accents in a tag, a table wider than a phone, long code lines, footnotes, an image, a long
unbroken address. The site lives under a sub-path (BASE_URL), so every link must carry it.

PUBLIC_WORD appears only in a public standalone post; INTERNAL_WORD only in an internal post;
BLOCK_WORD only inside an internal level block of a public post; GAP_WORD only in the internal
part of a series. Search must find the first and nothing may ever carry the other three.
"""

from __future__ import annotations

from tests.conftest import post

BASE_URL = "https://example.org/blog/"
PUBLIC_WORD = "zeppelinary"
INTERNAL_WORD = "quokkaberry"
BLOCK_WORD = "wombatcheese"
GAP_WORD = "narwhalfig"

CONFIG = f"""\
title = "Test Council Notes & Friends"
base_url = "{BASE_URL}"
description = "Notes from a council's IT team & its neighbours, for peers."
posts_per_page = 5
"""
SERIES = """\
cloud:
  title: Journey to the Cloud
  description: A council's move to cloud-first services.
  planned: 5
data:
  title: "Data & Identity: joining up seventeen systems across three councils 🔐"
  description: How three councils share one record of each resident, and what it took.
  planned: 6
"""

SERIES_TITLES = (
    "Why the council chose cloud first",
    "Moving 4,000 mailboxes",
    "One identity for every service",
)

_LONG_BODY = """\
We started with a question every council asks: what does the public get out of this?

## What we had

Three data centres, two of them in basements that flooded in 2012. Around 400 servers,
a third of them doing nothing anyone could name.

## What we decided

| Service | Before | After |
|---|---|---|
| Email | On premises | Hosted |
| Files | File shares | Document library |

We wrote the decision down in a [short strategy paper](/posts/{slug}/#what-we-decided), and
read it aloud at the committee.

### The costs

> Spend to save is only a slogan until the meter starts running.

```python
def monthly_cost(servers: int, rate: float = 41.5) -> float:
    return servers * rate
```

## What came next

The next part covers the mailboxes.[^1]

[^1]: All 4,000 of them, and the shared calendars.
"""


_WIDE_BODY = """\
The first two parts found the records; this one joins them up. 🚀 Everything rests on the
register at https://example.org/blog/a/really/long/address/that/does/not/break/by/itself/on/a/phone/at/all.html
and on the reference numbers, such as REF-0000000000000000000000000000000000000000000001.

## What we joined

| Council | System | Records | Owner | Hosting | Contract end | Status | Notes |
|---|---|---|---|---|---|---|---|
| Northbridge | CaseWorks | 120,000 | Revenues & Benefits | On premises | 2027 | Migrating | None |
| Port Elden | PeopleFirst | 48,000 | Adult social care | Hosted | 2026 | Done | Merged twice |

```text
reference,council,system,created,updated,owner,status,notes,a-long-column-name-that-goes-on-and-on
```

Back to [the first part](/posts/where-records-live/) or the [table above](#what-we-joined).
"""


def site_files() -> dict[str, str]:
    """{path: text}: config, series, and every post and page of the test site."""
    files = {
        "journeyblog.toml": CONFIG,
        "content/series.yml": SERIES,
        "content/images/map.svg": (
            '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
            '<rect width="120" height="60" fill="#0b5cad"/></svg>\n'
        ),
        "content/pages/about.md": (
            "---\ntitle: About this blog\n---\n\nIT leaders of public bodies write here about "
            "the journeys they are on.\n"
        ),
        "content/pages/accessibility.md": (
            "---\ntitle: Accessibility statement\n---\n\nThis site aims to meet WCAG 2.2 AA.\n\n"
            "## Reporting a problem\n\nWrite to the editor.\n"
        ),
        "content/posts/roadmap.md": post(
            "Why we publish our roadmap",
            date="2016-05-02",
            author="ben",
            tags=["Open Data", "Strategy"],
            body=(
                f"A roadmap nobody can read is a {PUBLIC_WORD} promise.\n\n"
                "![A blue rectangle standing in for the roadmap](/images/map.svg)\n\n"
                "<!-- level: internal -->\n"
                f"The {BLOCK_WORD} budget line stays inside the council.\n"
                "<!-- /level -->\n\n"
                "## Who reads it\n\nResidents, suppliers and our own staff.\n\n"
                # Headings whose anchors are words the theme might use as ids.
                "## Main\n\nThe main points.\n\n## Series parts\n\nNone.\n\n"
                "## Contents\n\nA list.\n\n## Main\n\nAgain.\n"
            ),
        ),
        "content/posts/staffing.md": post(
            "Restructuring the service desk",
            date="2016-06-01",
            security="Internal",
            body=f"The {INTERNAL_WORD} plan moves six posts.\n",
        ),
    }
    data_parts = {
        1: (
            # One word longer than a phone is wide: titles must wrap in every list.
            "Data & Identity \u2013 1: Where our records live 📦 "
            "Pneumonoultramicroscopicsilicovolcanoconiosis",
            "Public",
            "where-records-live",
        ),
        2: (
            "Data & Identity \u2013 2: Consolidating seventeen case-management systems into one "
            "platform without losing a single resident\u2019s record along the way",
            "Public",
            "consolidating",
        ),
        3: (f"Data & Identity \u2013 3: The {GAP_WORD} contract", "Internal", "contract"),
        4: (
            "Data & Identity \u2013 4: One record per resident, at last 🎉",
            "Public",
            "one-record",
        ),
    }
    for number, (title, level, slug) in data_parts.items():
        files[f"content/posts/data/0{number}-{slug}.md"] = post(
            title,
            date=f"2017-0{number}-0{number}",
            author="ben",
            security=level,
            series="data",
            part=number,
            tags=[
                "Cloud & Hosting",
                "Café culture",
                "Pneumonoultramicroscopicsilicovolcanoconiosis",
            ],
            body=(
                f"Part {number}, and the {GAP_WORD} budget.\n"
                if level == "Internal"
                else _WIDE_BODY
                if number == 4
                else f"Part {number} of the data series.\n\n## Findings\n\nThree of them.\n"
            ),
        )
    for number, title in enumerate(SERIES_TITLES, start=1):
        slug = ["strategy", "email", "identity"][number - 1]
        files[f"content/posts/cloud/0{number}-{slug}.md"] = post(
            title,
            date=f"2016-0{number}-1{number}",
            series="cloud",
            part=number,
            tags=["Cloud"],
            summary=f'"Part {number} of the move, {title.lower()}."',
            body=_LONG_BODY.replace("{slug}", slug),
        )
    return files
