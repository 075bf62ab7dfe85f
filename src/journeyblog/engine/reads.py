"""What a rendering reads of the Site, recorded as it reads it."""

from __future__ import annotations

import dataclasses
from typing import Any

from journeyblog.model import Site

# The Site's own values; a method or property (url(), absolute(), files_path) reads `info`.
SITE_FIELDS = frozenset(field.name for field in dataclasses.fields(Site))


class SiteReads:
    """A Site, for a template, that notes each of its attributes the template reads.

    `fields` are the Site's values the rendering depends on: a page made with it is made
    again only when one of those has changed (live.py).
    """

    __slots__ = ("_site", "fields")

    def __init__(self, site: Site) -> None:
        self._site = site
        self.fields: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.fields.add(name if name in SITE_FIELDS else "info")
        return getattr(self._site, name)
