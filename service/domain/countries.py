"""ISO 3166-1 countries from ``pycountry``: lookup by alpha-2 or alpha-3, any case."""

from __future__ import annotations

import pycountry


class UnknownCountry(ValueError):
    """Not an ISO 3166-1 alpha-2 or alpha-3 code."""


def canonical_alpha2(code: str) -> str:
    """Return the upper-case alpha-2 code for an alpha-2 or alpha-3 code in any case."""
    if not isinstance(code, str) or len(code.strip()) not in (2, 3) or not code.strip().isalpha():
        raise UnknownCountry(f"'{code}' is not an ISO 3166-1 alpha-2 or alpha-3 code")
    country = pycountry.countries.get(**{f"alpha_{len(code.strip())}": code.strip().upper()})
    if country is None:
        raise UnknownCountry(f"'{code}' is not an ISO 3166-1 country code")
    return country.alpha_2


def all_countries() -> list:
    """Every ISO 3166-1 country record, ordered by alpha-2 code."""
    return sorted(pycountry.countries, key=lambda country: country.alpha_2)


def country_name(code: str) -> str:
    """The ISO 3166-1 name of an alpha-2 code; the code itself when ISO has none."""
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
