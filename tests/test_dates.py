"""EDTF parsing: day bounds for every precision, widened for ? and ~."""

from __future__ import annotations

import datetime as dt

import pytest

from service.domain.dates import InvalidDate, parse_bounds

D = dt.date


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2025-07-03", D(2025, 7, 3), D(2025, 7, 3)),
        ("2024-01", D(2024, 1, 1), D(2024, 1, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2021", D(2021, 1, 1), D(2021, 12, 31)),
        ("2024?", D(2023, 1, 1), D(2025, 12, 31)),
        ("2023~", D(2022, 1, 1), D(2024, 12, 31)),
        ("2024-XX", D(2024, 1, 1), D(2024, 12, 31)),
        ("2020/2021", D(2020, 1, 1), D(2021, 12, 31)),
        (" 2021 ", D(2021, 1, 1), D(2021, 12, 31)),
    ],
)
def test_bounds(text, earliest, latest):
    bounds = parse_bounds(text)
    assert (bounds.earliest, bounds.latest) == (earliest, latest)
    assert bounds.text == text.strip()


@pytest.mark.parametrize("text", ["", "   ", "yesterday", "2025-13-01", "2025-02-30", "2020/..", "../2020", None, 2021])
def test_rejects_what_is_not_a_bounded_edtf_date(text):
    with pytest.raises(InvalidDate):
        parse_bounds(text)
