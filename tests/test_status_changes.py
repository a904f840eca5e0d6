"""The status-change feeds: JSON pages with after=SEQ, CSV, and Atom checked by a real feed parser."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import feedparser
import pytest
import yaml

from service.schemas.transitions import CSV_COLUMNS
from tests.support.constants import CNN, GOVERNMENT, RECOGNITION, RECOGNITION_ID

FEED = "/v1/status-changes"
GOVERNMENT_FEED = f"/v1/governments/{GOVERNMENT}/status-changes"


def every(client, path: str, **query) -> list[dict]:
    items, after = [], 0
    while True:
        page = client.get(path, query_string={"after": after, "limit": 3, **query}).json
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


def test_pages_resume_after_a_seq_without_gaps_or_repeats(client, seeded):
    response = client.get(FEED, query_string={"limit": 3})
    assert response.status_code == 200 and 'rel="next"' in response.headers["Link"]
    items = every(client, FEED)
    seqs = [item["seq"] for item in items]
    assert len(seqs) == 8 and seqs == sorted(set(seqs))
    assert every(client, GOVERNMENT_FEED) == items
    assert client.get(f"{FEED}/{seqs[0]}").json == items[0]


def test_filters_by_country_and_by_the_new_category(client, seeded):
    china = every(client, GOVERNMENT_FEED, country="chn")
    assert [item["country"] for item in china] == ["CN", "CN"]
    recognized = every(client, FEED, category="recognized")
    # Russia's recognition, then the two corrections of its earlier days (today it stays recognized).
    assert [(item["country"], item["to"]["category"], item["corrects_another_day"]) for item in recognized] == [
        ("RU", "recognized", False),
        ("RU", "recognized", True),
        ("RU", "recognized", True),
    ]
    assert every(client, FEED, government=GOVERNMENT, country="US") == []


def test_csv_has_one_row_per_change(client, seeded):
    response = client.get(GOVERNMENT_FEED, query_string={"format": "csv", "country": "RU"})
    lines = response.get_data(as_text=True).strip().split("\r\n")
    assert response.mimetype == "text/csv" and lines[0].startswith("seq,at,government,country,country_name")
    assert len(lines) == 4 and ",recognized,established,recognized,2025-07-03,2025-07-03," in lines[1]


def test_csv_columns_say_how_each_day_is_dated_and_what_a_correction_changed(client, seeded, editor):
    etag = client.get(RECOGNITION).headers["ETag"]
    client.patch(RECOGNITION, json={"start": "2025-07-02"}, headers={**editor, "If-Match": etag})
    response = client.get(FEED, query_string={"format": "csv", "limit": 100})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert set(rows[0]) >= {
        "seq", "at", "actor", "reason", "sources", "from_category", "from_certainty", "to_category", "to_certainty",
        "effective_day", "effective_edtf", "effective_dated_by", "corrected_from_category", "corrected_to_category",
    }  # fmt: skip
    russia, china = rows[0], next(row for row in rows if row["country"] == "CN")
    assert (russia["effective_dated_by"], russia["effective_dated_by_id"]) == ("record start", RECOGNITION_ID)
    assert (china["effective_dated_by"], china["effective_dated_by_id"]) == ("first report", CNN)
    assert china["effective_day"] == "2025-07-03" and china["corrected_from_category"] == ""
    correction = rows[-1]
    assert (correction["corrects_another_day"], correction["effective_day"], correction["actor"]) == (
        "true",
        "2025-07-02",
        "desk-editor",
    )
    assert (correction["from_category"], correction["to_category"]) == ("recognized", "recognized")
    assert (correction["corrected_from_category"], correction["corrected_from_certainty"]) == ("none", "uncertain")
    assert (correction["corrected_to_category"], correction["corrected_to_certainty"]) == ("recognized", "established")
    assert int(correction["seq"]) > int(rows[-2]["seq"]) and correction["sources"]


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "category=friends", "country=XX", "since=1"])
def test_bad_queries_are_422(client, seeded, query):
    assert client.get(f"{FEED}?{query}").status_code == 422


def test_unknown_ids_are_404(client, seeded):
    assert client.get("/v1/governments/nobody/status-changes").status_code == 404
    assert client.get("/v1/governments/nobody/status-changes.atom").status_code == 404
    assert client.get(f"{FEED}/999999").status_code == 404


def test_the_atom_feed_is_valid_and_has_what_a_reader_needs(client, seeded, editor):
    etag = client.get(RECOGNITION).headers["ETag"]
    client.patch(RECOGNITION, json={"start": "2025-07-02"}, headers={**editor, "If-Match": etag})
    response = client.get(f"{GOVERNMENT_FEED}.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Status changes: Islamic Emirate of Afghanistan"
    assert parsed.feed.id and parsed.feed.updated and parsed.feed.author
    entries = parsed.entries
    assert len(entries) == 9 and len({entry.id for entry in entries}) == 9
    assert all(entry.id.startswith("urn:uuid:") for entry in entries)
    assert all(e.updated_parsed and e.author and e.link and e.content and e.tags for e in entries)
    newest = entries[0]
    assert newest.title == (
        "Russian Federation: still recognized; corrected, from 2 July 2025: "
        "possibly ambassadors exchanged (uncertain) → recognized"
    )
    assert newest.author == "desk-editor" and newest.updated_parsed
    links = {link.rel: link.href for link in newest.links}
    assert links["alternate"].endswith(f"/governments/{GOVERNMENT}/RU")
    assert links["related"].endswith(f"/v1/governments/{GOVERNMENT}/relations/RU")
    assert "/v1/status-changes/" in links["via"]
    content = newest.content[0].value
    assert "CNN: Russia becomes first nation to recognize Taliban government" in content
    assert "A correction: the status today is unchanged" in content
    assert "On the corrected day, before: none (uncertain), possibly ambassadors exchanged" in content
    assert "On the corrected day, now: recognized (established)" in content
    assert "Holds from: 2025-07-02 (the start given by rcg_" in content
    china = next(entry for entry in entries if entry.title.startswith("China: no records"))
    china_content = china.content[0].value
    assert "Known from: 2025-07-03, the day it was first reported" in china_content
    assert "may have held before" in china_content and "Holds from" not in china_content, (
        "a first report's day never reads as the day relations began"
    )
    assert "Now: limited relations (established)" in china_content
    assert "Before: no records" in china_content
    assert [(c.term, c.label) for c in china.tags] == [("limited_relations", "limited relations")]
    uncertain = [entry.title for entry in entries if "(uncertain)" in entry.title]
    assert uncertain and all("possibly" in title for title in uncertain), "nothing uncertain reads as settled"
    assert client.get(f"{FEED}.atom", query_string={"country": "QA"}).data.count(b"<entry>") == 1


def test_the_atom_feed_answers_conditional_gets(client, seeded, editor):
    first = client.get(f"{FEED}.atom")
    assert first.headers["ETag"]
    again = client.get(f"{FEED}.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    client.post(
        "/v1/recognitions",
        json={"government": GOVERNMENT, "country": "CN", "form": "de_facto", "start": "2025-08", "sources": [CNN]},
        headers=editor,
    )
    changed = client.get(f"{FEED}.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert feedparser.parse(changed.data).entries[0].title.startswith("China: ambassadors exchanged → recognized")


def test_atom_is_406_for_a_caller_that_takes_no_xml(client, seeded):
    assert client.get(f"{FEED}.atom", headers={"Accept": "text/csv"}).status_code == 406


def test_the_contract_names_every_csv_column():
    document = yaml.safe_load((Path(__file__).parents[1] / "openapi.yaml").read_text(encoding="utf-8"))
    listed = " ".join(document["paths"]["/v1/status-changes"]["get"]["description"].split())
    assert [column for column in CSV_COLUMNS if f"`{column}`" not in listed] == []
