"""The interface's translation catalogs: how complete they are, and the pseudo-locales built
from them for checking that every visible word comes from a catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings

from bridgework.lib import pseudo

TRANSLATED_LANGUAGES = ("es", "fr")
PSEUDO_LOCALES = {pseudo.ACCENTED: "en_XA", pseudo.RIGHT_TO_LEFT: "ar_XB"}


def own_catalog(language: str, locale_dir: Path | None = None) -> Path:
    base = locale_dir or Path(settings.LOCALE_PATHS[0])
    return base / language / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Completeness:
    language: str
    entries: int
    untranslated: int
    fuzzy: int

    @property
    def complete(self) -> bool:
        return self.entries > 0 and self.untranslated == 0 and self.fuzzy == 0

    def __str__(self) -> str:
        return (
            f"{self.language}: {self.entries} messages, {self.untranslated} untranslated, "
            f"{self.fuzzy} fuzzy"
        )


def completeness(language: str, locale_dir: Path | None = None) -> Completeness:
    path = own_catalog(language, locale_dir)
    if not path.exists():
        return Completeness(language, 0, 0, 0)
    catalog = polib.pofile(str(path))
    live = [entry for entry in catalog if not entry.obsolete]
    return Completeness(
        language,
        entries=len(live),
        untranslated=len(catalog.untranslated_entries()),
        fuzzy=len(catalog.fuzzy_entries()),
    )


def _source_catalogs() -> list[Path]:
    """Every catalog whose messages can reach a page: ours, Django's and each installed
    app's (their English catalog, or any one when an app ships no English)."""
    import django

    found = [own_catalog(TRANSLATED_LANGUAGES[0])]
    locale_dirs = [Path(django.__file__).parent / "conf" / "locale"]
    locale_dirs += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    for locale_dir in locale_dirs:
        if not locale_dir.is_dir() or locale_dir == Path(settings.LOCALE_PATHS[0]):
            continue
        english = locale_dir / "en" / "LC_MESSAGES" / "django.po"
        any_catalog = next(iter(sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))), None)
        if english.exists():
            found.append(english)
        elif any_catalog is not None:
            found.append(any_catalog)
    return [path for path in found if path.exists()]


def write_pseudo_catalogs(locale_dir: Path | None = None) -> dict[str, int]:
    """Writes en_XA and ar_XB catalogs holding every known message, pseudo-translated.
    They take precedence over Django's and the apps' own (LOCALE_PATHS come first)."""
    messages: dict[tuple[str | None, str, str], polib.POEntry] = {}
    for path in _source_catalogs():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.msgid:
                continue
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            messages.setdefault(
                key,
                polib.POEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    flags=[flag for flag in entry.flags if flag.endswith("-format")],
                ),
            )
    written = {}
    for language, locale in PSEUDO_LOCALES.items():
        catalog = polib.POFile()
        catalog.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Language": locale,
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
        for entry in messages.values():
            copy = polib.POEntry(
                msgctxt=entry.msgctxt,
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                flags=list(entry.flags),
            )
            if entry.msgid_plural:
                copy.msgstr_plural = {
                    0: pseudo.message(entry.msgid),
                    1: pseudo.message(entry.msgid_plural),
                }
            else:
                copy.msgstr = pseudo.message(entry.msgid)
            catalog.append(copy)
        path = own_catalog(locale, locale_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog.save(str(path))
        catalog.save_as_mofile(str(path.with_suffix(".mo")))
        written[language] = len(catalog)
    return written
