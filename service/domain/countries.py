"""ISO 3166-1 countries from ``pycountry``: lookup by alpha-2 or alpha-3, any case; names in
the reader's language from pycountry's own ISO 3166-1 gettext catalogues.

Languages: a reader's wanted tags (BCP 47, best first) are matched to the shipped
catalogues with langcodes' CLDR distances (``closest_supported_match``), so ``ar-EG``
reads Arabic, ``zh-Hant`` Traditional Chinese (``zh-TW``), ``prs`` (Dari) Persian and
``pt-PT`` Portuguese; a tag further than ``MAX_DISTANCE`` from every catalogue (another
script, another language) matches nothing. The chain always ends with English, the
catalogues' source language. A catalogue may lack a name (Pashto has about 140 of
249): that name comes from the reader's next language, finally English. The names are
the translators' as shipped; none is typed here.
"""

from __future__ import annotations

import difflib
import functools
import gettext
import os
from collections.abc import Sequence

import langcodes
import pycountry

ENGLISH = "en"
DOMAIN = "iso3166-1"
# CLDR distance: en-GB -> en is 5, prs -> fa 4, ar-Latn -> ar 20 (another script): too far.
MAX_DISTANCE = 10
# Languages written right to left, among those with a catalogue.
RTL_LANGUAGES = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


class UnknownCountry(ValueError):
    """Not an ISO 3166-1 alpha-2 or alpha-3 code."""


def canonical_alpha2(code: str) -> str:
    """Return the upper-case alpha-2 code for an alpha-2 or alpha-3 code in any case."""
    if not isinstance(code, str) or len(code.strip()) not in (2, 3) or not code.strip().isalpha():
        raise UnknownCountry(f"'{code}' is not an ISO 3166-1 alpha-2 or alpha-3 code{suggestion(code)}")
    country = pycountry.countries.get(**{f"alpha_{len(code.strip())}": code.strip().upper()})
    if country is None:
        raise UnknownCountry(f"'{code}' is not an ISO 3166-1 country code{suggestion(code)}")
    return country.alpha_2


def suggestion(text: object) -> str:
    """A sentence naming the closest ISO country to ``text`` (for error messages), or ''."""
    if not isinstance(text, str) or not text.strip():
        return ""
    close = closest_countries(text)
    if not close:
        return "; GET /v1/countries?q=<part of a name> lists the codes"
    code, name = close[0]
    return f"; did you mean {code} ({name})? GET /v1/countries?q=<part of a name> lists the codes"


@functools.lru_cache(maxsize=1)
def _searchable() -> dict[str, str]:
    """Every name (ISO, official, common), case-folded, mapped to its alpha-2 code."""
    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for value in (country.name, *_other_names(country)):
            keys.setdefault(value.casefold(), country.alpha_2)
    return keys


def _other_names(country) -> tuple[str, ...]:
    return tuple(
        name for name in (getattr(country, "official_name", None), getattr(country, "common_name", None)) if name
    )


def closest_countries(text: str, limit: int = 3) -> list[tuple[str, str]]:
    """The ISO countries whose name is closest to ``text``, best first: (alpha-2, English name).

    A name beginning with the text comes first, then one with a word beginning with it,
    then one holding it, then the names (or their words) that difflib finds similar.
    """
    needle = text.strip().casefold()[:100]
    if len(needle) < 2:
        return []
    best: dict[str, float] = {}
    for key, code in _searchable().items():
        words = key.replace(",", " ").replace("(", " ").split()
        if key.startswith(needle):
            score = 4.0
        elif any(word.startswith(needle) for word in words):
            score = 3.0
        elif len(needle) >= 3 and needle in key:
            score = 2.0
        else:
            score = max(difflib.SequenceMatcher(None, needle, candidate).ratio() for candidate in (key, *words))
            if score < 0.75:
                continue
        best[code] = max(score, best.get(code, 0.0))
    ranked = sorted(best, key=lambda code: (-best[code], code))
    return [(code, country_name(code)) for code in ranked[:limit]]


def all_countries() -> list:
    """Every ISO 3166-1 country record, ordered by alpha-2 code."""
    return sorted(pycountry.countries, key=lambda country: country.alpha_2)


def country_name(code: str, languages: Sequence[str] = (ENGLISH,)) -> str:
    """The ISO 3166-1 name of an alpha-2 code in the first of ``languages`` (a negotiated
    chain) that has it; the code itself when ISO has none."""
    return localized_name(code, languages)[0]


def localized_name(code: str, languages: Sequence[str] = (ENGLISH,)) -> tuple[str, str]:
    """(name, the language it is in) for an alpha-2 code, from the first of ``languages``
    whose catalogue has it; English, the catalogues' source, always has it."""
    for language in languages:
        name = names_in(language).get(code)
        if name:
            return name, language
    return names_in(ENGLISH).get(code, code), ENGLISH


@functools.lru_cache(maxsize=1)
def catalogues() -> dict[str, str]:
    """BCP 47 tag -> pycountry's catalogue directory, for every shipped ISO 3166-1 catalogue."""
    found = {ENGLISH: ENGLISH}  # the msgids are English: no catalogue needed
    for entry in sorted(os.listdir(pycountry.LOCALES_DIR)):
        if not os.path.exists(os.path.join(pycountry.LOCALES_DIR, entry, "LC_MESSAGES", f"{DOMAIN}.mo")):
            continue
        tag = entry.replace("@latin", "-Latn").replace("_", "-")
        if langcodes.tag_is_valid(tag):  # skips gettext-only names such as tt@iqtelif
            found.setdefault(langcodes.standardize_tag(tag), entry)
    return found


class _Missing(gettext.NullTranslations):
    """The catalogue's fallback: says a msgid is missing instead of echoing it."""

    def gettext(self, message):
        return None


@functools.lru_cache(maxsize=256)
def names_in(language: str) -> dict[str, str]:
    """Alpha-2 -> name in ``language`` (a tag of ``catalogues``), for the names its
    catalogue has: the ISO name's translation, else the common name's. Read once per
    language and process, so a request costs a dict lookup per name."""
    countries = all_countries()
    if language == ENGLISH:
        return {country.alpha_2: country.name for country in countries}
    catalogue = catalogues().get(language)
    if catalogue is None:
        return {}
    translation = gettext.translation(DOMAIN, pycountry.LOCALES_DIR, languages=[catalogue])
    translation.add_fallback(_Missing())
    names = {}
    for country in countries:
        for msgid in (country.name, getattr(country, "common_name", None)):
            translated = translation.gettext(msgid) if msgid else None
            if translated:
                names[country.alpha_2] = translated
                break
    return names


@functools.lru_cache(maxsize=1024)
def negotiate(wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The supported languages for the reader's wanted tags (best first), ending with
    English. Tags that are not valid BCP 47 or are too far from every catalogue are skipped."""
    supported = list(catalogues())
    chain: list[str] = []
    for tag in wanted:
        if not isinstance(tag, str) or not langcodes.tag_is_valid(tag):
            continue
        match = langcodes.closest_supported_match(tag, supported, max_distance=MAX_DISTANCE)
        if match and match not in chain:
            chain.append(match)
    if ENGLISH not in chain:
        chain.append(ENGLISH)
    return tuple(chain)


@functools.lru_cache(maxsize=256)
def is_complete(language: str) -> bool:
    """Whether ``language``'s catalogue names every country."""
    return len(names_in(language)) == len(names_in(ENGLISH))


def content_languages(chain: Sequence[str]) -> tuple[str, ...]:
    """The languages an answer in ``chain`` may hold: up to the first complete one."""
    used: list[str] = []
    for language in chain:
        used.append(language)
        if is_complete(language):
            break
    return tuple(used)


def is_rtl(language: str) -> bool:
    """Whether ``language`` (a BCP 47 tag) is written right to left."""
    return langcodes.Language.get(language).language in RTL_LANGUAGES
