"""EDTF dates: validation with the ``edtf`` library and their day bounds.

Every event date is stored three ways: the EDTF text as given, the earliest day it
can mean and the latest day it can mean. Uncertain (``?``) and approximate (``~``)
values use the library's widened ("fuzzy") bounds, so ``2024?`` spans 2023 to 2025
and the service never claims a record is in force earlier than its source allows.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException


class InvalidDate(ValueError):
    """The text is not an EDTF value with finite day bounds."""


# What every refusal says: the forms a date takes, a day first.
FORMS = "give a day as YYYY-MM-DD (2025-07-03), a month as YYYY-MM, a year as YYYY, or mark doubt: 2024?, 2023~"


@dataclass(frozen=True)
class DateBounds:
    text: str
    earliest: dt.date
    latest: dt.date


def _to_date(value: time.struct_time) -> dt.date:
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)


def parse_bounds(text: str) -> DateBounds:
    """Parse an EDTF string; raise ``InvalidDate`` with a readable reason."""
    if not isinstance(text, str):
        raise InvalidDate(f"not an EDTF date: {FORMS}")
    return _parse_text(text)


# The edtf parser takes milliseconds per value, and answers rebuilt from the change
# log parse the same few hundred dates again and again; the result is immutable.
@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> DateBounds:
    if not text.strip():
        raise InvalidDate(f"an empty date: {FORMS}")
    text = text.strip()
    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        raise InvalidDate(f"'{text}' is not an EDTF date: {FORMS}") from None
    except Exception:  # the parser raises assorted errors on odd input
        raise InvalidDate(f"'{text}' is not an EDTF date: {FORMS}") from None
    try:
        earliest = _to_date(parsed.lower_fuzzy())
        latest = _to_date(parsed.upper_fuzzy())
    except Exception:
        # Open or unknown interval ends ('2020/..') have no day bounds.
        raise InvalidDate(f"'{text}' has no finite day bounds; give a date or a closed interval") from None
    if not (1 <= earliest.year and latest.year <= 9999):
        raise InvalidDate(f"'{text}' is outside the years 1 to 9999")
    return DateBounds(text=text, earliest=earliest, latest=latest)
