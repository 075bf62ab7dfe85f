"""The small site the browser tests build: a series, a standalone post, pages, and withheld words.

PUBLIC_WORD appears only in a public standalone post; INTERNAL_WORD only in an internal post;
BLOCK_WORD only inside an internal level block of a public post. Search must find the first
and nothing may ever carry the other two.
"""

from __future__ import annotations

from tests.conftest import post

PUBLIC_WORD = "zeppelinary"
INTERNAL_WORD = "quokkaberry"
BLOCK_WORD = "wombatcheese"

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


def site_files() -> dict[str, str]:
    """{path: text} for make_site: three parts of a five-part series, and the rest."""
    files = {
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
                "## Who reads it\n\nResidents, suppliers and our own staff.\n"
            ),
        ),
        "content/posts/staffing.md": post(
            "Restructuring the service desk",
            date="2016-06-01",
            security="Internal",
            body=f"The {INTERNAL_WORD} plan moves six posts.\n",
        ),
    }
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
