"""The interface in the site's language: message catalogs and dates, through Babel.

Every string a theme prints comes from a gettext catalog (`.po`), read as it is, with no
compile step: the theme's `locales/<language>.po`, then the site's own
`locales/<language>.po`, whose messages take precedence. A language is found by its full
tag first, then by its language alone: `fr-FR` reads `fr_FR.po`, else `fr.po`. A message
with no translation shows its English msgid; `check` lists those (`untranslated`).

Dates are written by Babel for the language: "19 July 2016" in `en-GB`,
"19 Gorffennaf 2016" in `cy`, "19 juillet 2016" in `fr`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal
from babel.support import Translations

from journeyblog.config import LOCALES
from journeyblog.errors import SiteError

DEFAULT = "en"  # the language the themes' msgids are written in
CONTEXT = "\x04"  # between a message's context and its msgid, as gettext keys them
# The calls a template or a module marks a message with: gettext's, and the messages of scripts.
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "script_message": None,
    "plural_forms": (1, 2),
    "say": None,
}


class CatalogError(ValueError):
    """A catalog that cannot be read: its `SiteError` says where and why."""

    def __init__(self, error: SiteError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class Language:
    """One language of the interface: its catalog, and how it writes dates."""

    tag: str  # as configured: "en-GB", "cy"
    locale: Locale
    translations: Translations
    catalogs: tuple[Path, ...]  # the files read, lowest precedence first
    digest: str = ""  # of the catalogs' bytes: every page says what they say
    samples: tuple[tuple[str, int], ...] = ()  # a number of each plural category (_samples)

    def gettext(self, message: str) -> str:
        return self.translations.ugettext(message)

    # A message of the code's own (a page's title, a feed's), by a name the extraction knows.
    say = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ungettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.upgettext(context, message)

    def format_date(self, value: datetime) -> str:
        """The long form of a date: "19 July 2016", "19 Gorffennaf 2016"."""
        return babel_format_date(value.date(), "long", locale=self.locale)

    def format_number(self, value: int) -> str:
        """A count as the language writes it: "1,234" in English, "1 234" in French."""
        return format_decimal(value, locale=self.locale)

    def name_of(self, tag: str) -> str:
        """Another language's name in this one: "Saesneg" for "en" in Welsh."""
        try:
            name = Locale.parse(tag.split("-", 1)[0]).get_display_name(self.locale)
        except (UnknownLocaleError, ValueError, TypeError):
            return tag
        return name or tag

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """The message in each of the language's plural categories (CLDR: "zero", "one",
        "two", "few", "many", "other"), for a script that picks one with Intl.PluralRules."""
        return {
            category: self.ngettext(singular, plural, sample) for category, sample in self.samples
        }


def load_language(tag: str, folders: Sequence[Path]) -> Language:
    """The language `tag`, its messages read from each folder's `locales/` in turn (a later
    folder's messages take precedence: the theme's, then the site's own).

    Raises CatalogError for a catalog that cannot be read; `tag` is one config.py accepted.
    """
    locale = Locale.parse(tag, sep="-")
    translations: Translations | None = None
    read: list[Path] = []
    digest = hashlib.sha256(tag.encode())
    for folder in folders:
        path = catalog_file(folder / LOCALES, locale)
        if path is not None and not path.resolve().is_relative_to(folder.resolve()):
            raise CatalogError(
                SiteError(path, None, "a link to a file outside the site (copy the file in)")
            )
        if path is not None:
            loaded = Translations(io.BytesIO(_compiled(read_catalog(path, locale))))
            # The first catalog's plural rule stands: merge() takes only the messages.
            translations = loaded if translations is None else translations.merge(loaded)
            read.append(path)
            digest.update(path.read_bytes())
    catalogs = translations or Translations()
    return Language(tag, locale, catalogs, tuple(read), digest.hexdigest(), _samples(locale))


def english() -> Language:
    """British English with no catalog: the msgids as they are written."""
    samples = (("other", 0), ("one", 1))  # _samples(Locale("en", "GB")), known
    return Language("en-GB", Locale("en", "GB"), Translations(), (), "", samples)


def catalog_file(folder: Path, locale: Locale) -> Path | None:
    """The catalog of `locale` in `folder`: by full tag, else by language."""
    for name in dict.fromkeys((str(locale), locale.language)):
        path = folder / f"{name}.po"
        if path.is_file():
            return path
    return None


def read_catalog(path: Path, locale: Locale | None = None) -> Catalog:
    try:
        with path.open("rb") as file:
            return read_po(file, locale=locale, abort_invalid=True)
    except PoFileError as error:  # its lineno counts from 0
        message = str(error).split(" on ", 1)[0]
        raise CatalogError(
            SiteError(path, error.lineno + 1, f"cannot read this catalog: {message} (fix it)")
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(
            SiteError(path, None, f"cannot read this catalog: {error} (save it as UTF-8 text)")
        ) from None


def _compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _samples(locale: Locale) -> tuple[tuple[str, int], ...]:
    """A number of each plural category of the language, the smallest."""
    found: dict[str, int] = {}
    for number in range(1000):
        found.setdefault(locale.plural_form(number), number)
    return tuple(found.items())


def interface_messages(templates: Sequence[Path]) -> Iterator[tuple[Path, int, str]]:
    """Every message the interface prints: the templates' under these folders, then the
    code's own (page and feed titles, card text): (file, line, msgid)."""
    for folder in templates:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".xml", ".txt"):
                yield from _extracted(path, "jinja2.ext:babel_extract")
    for path in sorted(Path(__file__).parent.glob("*.py")):
        yield from _extracted(path, "python")


def _extracted(path: Path, method: str) -> Iterator[tuple[Path, int, str]]:
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"} if "jinja" in method else {}
    for line, message, _comments, context in extract_from_file(
        method, str(path), keywords=KEYWORDS, options=options
    ):
        # A plural message is known by its singular: the catalog's key for both.
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            yield path, line, f"{context}{CONTEXT}{msgid}" if context else msgid


def untranslated(
    language: Language, messages: Iterable[tuple[Path, int, str]]
) -> list[tuple[Path, int, str]]:
    """The messages that have no translation in this language (English needs none)."""
    if language.locale.language == DEFAULT:
        return []  # the msgids are English
    known: Mapping[Any, str] = language.translations._catalog
    missing = []
    for path, line, msgid in messages:
        if msgid not in known and (msgid, 0) not in known:  # (msgid, 0): a plural's
            missing.append((path, line, msgid))
    return missing
