"""Country codes: alpha-2 or alpha-3 in any case, canonical alpha-2 out."""

from __future__ import annotations

import pytest

from service.domain.countries import UnknownCountry, all_countries, canonical_alpha2


@pytest.mark.parametrize(("code", "expected"), [("RU", "RU"), ("ru", "RU"), ("RUS", "RU"), ("afg", "AF"), ("Qa", "QA")])
def test_canonical_alpha2(code, expected):
    assert canonical_alpha2(code) == expected


@pytest.mark.parametrize("code", ["", "R", "XX", "ZZZ", "RUSS", "1A", "r u", None])
def test_unknown_codes_are_rejected(code):
    with pytest.raises(UnknownCountry):
        canonical_alpha2(code)


def test_reference_data_comes_from_the_iso_library():
    codes = [country.alpha_2 for country in all_countries()]
    assert len(codes) >= 249
    assert codes == sorted(codes)
    assert {"AF", "RU", "CN", "AE", "QA", "US"} <= set(codes)
