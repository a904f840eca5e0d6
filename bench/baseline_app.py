"""The no-framework baseline: the relations answer from ONE hand-written SQL query.

A minimal Flask app with a single route, ``/v1/governments/<id>/relations?as_of=``,
that runs one SQL statement on a plain DB-API connection (sqlite3 or psycopg; no
ORM, no marshmallow, no flask-smorest), classifies in plain Python with the same rules
as ``service.domain.relations`` and writes the same JSON (bench/run.py checks that the two
answers are equal before measuring). No ETag, no validation beyond ``as_of``.

DATABASE_URL names the database, as for the service.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

import pycountry
from flask import Flask, Response, request
from sqlalchemy.engine import make_url  # URL parsing only

CATEGORIES = ("recognized", "ambassadors_exchanged", "limited_relations", "none")
DIRECTIONS = ("government_to_country", "country_to_government")
RANK_ORDER = {"ambassador": 0, "charge_d_affaires": 1, "political_office": 2, "other": 3}
FORM_ORDER = {"de_jure": 0, "de_facto": 1}
COUNTRY_NAMES = {country.alpha_2: country.name for country in pycountry.countries}

QUERY = """
SELECT g.name, f.kind, f.id, f.country, f.form, f.direction, f.rank, f.envoy,
       f.start_edtf, f.end_edtf, f.end_reason, f.note, f.start_earliest, f.start_latest, f.end_earliest,
       s.id, s.url, s.publisher, s.title, s.published_edtf, s.kind, s.note, s.published_latest
FROM governments g
LEFT JOIN (
    SELECT 'r' AS kind, r.id, r.government_id, r.country, r.form, NULL AS direction, NULL AS rank,
           NULL AS envoy, r.start_edtf, r.end_edtf, r.end_reason, r.note,
           r.start_earliest, r.start_latest, r.end_earliest, rs.source_id
    FROM recognitions r JOIN recognition_sources rs ON rs.recognition_id = r.id
    WHERE r.government_id = {g}
    UNION ALL
    SELECT 'e', e.id, e.government_id, e.country, NULL, e.direction, e.rank,
           e.envoy, e.start_edtf, e.end_edtf, NULL, e.note,
           e.start_earliest, e.start_latest, e.end_earliest, es.source_id
    FROM ambassador_exchanges e JOIN ambassador_exchange_sources es ON es.exchange_id = e.id
    WHERE e.government_id = {g}
) f ON f.government_id = g.id
LEFT JOIN sources s ON s.id = f.source_id
WHERE g.id = {g}
ORDER BY f.kind, f.id, s.id
"""

_connection = None
_query = None


def connection():
    """One DB-API connection per worker process, opened on first use (after the fork)."""
    global _connection, _query
    if _connection is None:
        url = make_url(os.environ["DATABASE_URL"])
        if url.get_backend_name() == "sqlite":
            _connection = sqlite3.connect(url.database, check_same_thread=False)
            _query = QUERY.replace("{g}", ":g")
        else:
            import psycopg

            _connection = psycopg.connect(
                url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
            )
            _query = QUERY.replace("{g}", "%(g)s")
    return _connection


def day(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def relations(government_id: str, as_of: dt.date):
    rows = connection().execute(_query, {"g": government_id}).fetchall()
    if not rows:
        return None
    name = rows[0][0]
    facts: dict[str, dict] = {}
    sources: dict[str, dict] = {}
    published: dict[str, dt.date] = {}
    for (
        _,
        kind,
        fid,
        country,
        form,
        direction,
        rank,
        envoy,
        start,
        end,
        end_reason,
        note,
        start_earliest,
        start_latest,
        end_earliest,
        sid,
        url,
        publisher,
        title,
        published_edtf,
        source_kind,
        source_note,
        published_latest,
    ) in rows:
        if fid is None:
            continue
        fact = facts.get(fid)
        if fact is None:
            if kind == "r":
                data = {
                    "id": fid,
                    "government": government_id,
                    "country": country,
                    "form": form,
                    "start": start,
                    "end": end,
                    "end_reason": end_reason,
                    "note": note,
                    "sources": [],
                }
            else:
                data = {
                    "id": fid,
                    "government": government_id,
                    "country": country,
                    "direction": direction,
                    "rank": rank,
                    "envoy": envoy,
                    "start": start,
                    "end": end,
                    "note": note,
                    "sources": [],
                }
            fact = facts[fid] = {
                "kind": kind,
                "data": data,
                "start_earliest": day(start_earliest),
                "start_latest": day(start_latest),
                "end_earliest": day(end_earliest),
            }
        fact["data"]["sources"].append(sid)
        if sid not in sources:
            sources[sid] = {
                "id": sid,
                "url": url,
                "publisher": publisher,
                "title": title,
                "published": published_edtf,
                "kind": source_kind,
                "note": source_note,
            }
            published[sid] = day(published_latest)

    by_country: dict[str, dict] = {}
    begun = []
    for fact in facts.values():  # recognitions first, each kind by id: the query's order
        data = fact["data"]
        known = fact["start_latest"]
        if known is None:
            days = [published[s] for s in data["sources"] if published.get(s)]
            known = min(days, default=None)
        relation = by_country.setdefault(data["country"], {"r": [], "e": []})
        if known is not None and known <= as_of and (fact["end_earliest"] is None or fact["end_earliest"] > as_of):
            relation[fact["kind"]].append(fact)
        if fact["kind"] == "r" and known is not None and known <= as_of:
            begun.append((known, data["country"], data["id"], fact))

    items = []
    counts = dict.fromkeys(CATEGORIES, 0)
    for country in sorted(by_country):
        recognitions, exchanges = by_country[country]["r"], by_country[country]["e"]
        recognition = min(
            recognitions,
            key=lambda f: (
                FORM_ORDER[f["data"]["form"]],
                -(f["start_earliest"] or dt.date.min).toordinal(),
                f["data"]["id"],
            ),
            default=None,
        )
        envoys = {}
        for direction in DIRECTIONS:
            ranks = [f["data"]["rank"] for f in exchanges if f["data"]["direction"] == direction]
            envoys[direction] = min(ranks, key=RANK_ORDER.__getitem__, default=None)
        if recognitions:
            category = "recognized"
        elif all(envoys[d] == "ambassador" for d in DIRECTIONS):
            category = "ambassadors_exchanged"
        else:
            category = "limited_relations" if exchanges else "none"
        counts[category] += 1
        shown = ([recognition] if recognition else []) + exchanges
        cited = sorted({s for f in shown for s in f["data"]["sources"]})
        items.append(
            {
                "country": country,
                "country_name": COUNTRY_NAMES.get(country, country),
                "category": category,
                "recognition": recognition["data"] if recognition else None,
                "envoys": envoys,
                "exchanges": [
                    f["data"] for f in sorted(exchanges, key=lambda f: (f["data"]["direction"], f["data"]["id"]))
                ],
                "sources": [sources[s] for s in cited],
            }
        )
    first = None
    if begun:
        known, country, _, fact = min(begun, key=lambda item: item[:3])
        first = {
            "country": country,
            "start": fact["data"]["start"] or known.isoformat(),
            "recognition": fact["data"]["id"],
            "sources": [sources[s] for s in sorted(fact["data"]["sources"])],
        }
    return {
        "government": {"id": government_id, "name": name},
        "as_of": as_of.isoformat(),
        "counts": counts,
        "first_recognized_by": first,
        "items": items,
    }


app = Flask(__name__)


@app.get("/v1/governments/<government_id>/relations")
def get_relations(government_id: str):
    try:
        as_of = dt.date.fromisoformat(request.args["as_of"]) if "as_of" in request.args else dt.date.today()
    except ValueError:
        return Response('{"status":422}\n', status=422, mimetype="application/json")
    answer = relations(government_id, as_of)
    if answer is None:
        return Response('{"status":404}\n', status=404, mimetype="application/json")
    return Response(json.dumps(answer, separators=(",", ":")) + "\n", mimetype="application/json")
