#!/usr/bin/env python3
"""Where the time of ``GET /v1/governments/<id>/relations`` goes, in process.

Two views of the same request on the database named by DATABASE_URL (or --database-url):

- ``--mode breakdown`` (default): the request's steps timed one by one, with the
  service's own functions (government lookup, ORM load with the sources, marshmallow
  dumps, classification, JSON encoding, the body ETag), next to what the alternatives
  would cost: one hand-written SQL query, ``max(changes.seq)`` (a data version that
  could answer If-None-Match before any of the work), orjson, and a cached
  ``parse_bounds`` (``as_known_at`` parses every record's dates per request);
- ``--mode cprofile`` / ``--mode pyinstrument``: a profile of N whole requests through
  the Flask test client (pyinstrument only when installed: ``pip install pyinstrument``).

    DATABASE_URL=sqlite:///... .venv/bin/python bench/profile_relations.py --requests 30
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(function, repeat: int) -> tuple[float, object]:
    """Median milliseconds of ``repeat`` calls, and the last result."""
    samples = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), result


def busiest_government() -> str:
    from sqlalchemy import text

    from service.store.database import db

    return db.session.execute(
        text(
            "SELECT government_id FROM (SELECT government_id FROM recognitions UNION ALL "
            "SELECT government_id FROM ambassador_exchanges) AS r WHERE government_id LIKE 'synth-%' "
            "GROUP BY government_id ORDER BY count(*) DESC, government_id LIMIT 1"
        )
    ).scalar_one()


def breakdown(app, government_id: str, as_of: dt.date, repeat: int) -> None:
    from sqlalchemy import select

    from service.domain.relations import classify
    from service.schemas.ambassador_exchanges import AmbassadorExchangeSchema
    from service.schemas.recognitions import RecognitionSchema
    from service.store.data_version import data_version
    from service.store.database import db
    from service.store.models import AmbassadorExchange, Government, Recognition
    from service.store.relations import live_records

    url = f"/v1/governments/{government_id}/relations?as_of={as_of.isoformat()}"
    client = app.test_client()
    for _ in range(3):
        client.get(url)
    whole, response = timed(lambda: client.get(url), repeat)
    etag = response.headers["ETag"]
    whole_304, _ = timed(lambda: client.get(url, headers={"If-None-Match": etag}), repeat)
    rows: list[tuple[str, float]] = [
        ("whole request, 200 (test client)", whole),
        ("whole request, 304 with If-None-Match", whole_304),
    ]

    def fresh(function):
        """Each run in its own request context and session, as a request has them."""

        def run():
            with app.test_request_context(url):
                try:
                    return function()
                finally:
                    db.session.remove()

        return run

    t, _ = timed(fresh(lambda: db.session.get(Government, government_id)), repeat)
    rows.append(("government lookup (session, connection checkout, one SELECT)", t))

    def orm_load():
        loaded = {}
        for model in (Recognition, AmbassadorExchange):
            statement = select(model).where(model.government_id == government_id).order_by(model.id)
            loaded[model] = db.session.scalars(statement).all()  # selectin loads the sources
        return loaded

    t_load, _ = timed(fresh(orm_load), repeat)
    recognition_schema, exchange_schema = RecognitionSchema(), AmbassadorExchangeSchema()

    def load_and_dump():
        loaded = orm_load()
        return [recognition_schema.dump(r) for r in loaded[Recognition]] + [
            exchange_schema.dump(r) for r in loaded[AmbassadorExchange]
        ]

    t_dump, dumped = timed(fresh(load_and_dump), repeat)
    rows.append((f"ORM load of {len(dumped)} records + their sources (2 SELECTs + selectin)", t_load))
    rows.append((f"marshmallow dumps of the {len(dumped)} records", t_dump - t_load))
    t, records = timed(fresh(lambda: live_records(government_id, None)), repeat)
    rows.append(("live_records total (lookup + load + record dumps + source dumps)", t))
    t, answer = timed(lambda: classify(records, as_of), repeat)
    rows.append(("classify", t))
    t, body = timed(lambda: app.json.dumps(answer, separators=(",", ":")), repeat)
    rows.append((f"JSON encoding (Flask's provider), {len(body):,} bytes", t))
    t, _ = timed(lambda: hashlib.md5(body.encode()).hexdigest(), repeat)
    rows.append(("ETag: md5 of the body", t))
    try:
        import orjson

        t, _ = timed(lambda: orjson.dumps(answer), repeat)
        rows.append(("  alternative: orjson.dumps of the same answer", t))
    except ImportError:
        rows.append(("  alternative: orjson (not installed)", float("nan")))
    t, _ = timed(fresh(data_version), repeat)
    rows.append(("  alternative: data version = max(changes.seq), own session (If-None-Match shortcut)", t))
    from bench import baseline_app

    os.environ["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    baseline_app._connection = None
    baseline_app.connection()
    t, _ = timed(
        lambda: baseline_app.connection().execute(baseline_app._query, {"g": government_id}).fetchall(), repeat
    )
    rows.append(("  alternative: the baseline's one SQL query (rows only)", t))
    t, _ = timed(lambda: baseline_app.relations(government_id, as_of), repeat)
    rows.append(("  alternative: the baseline's query + classification (no JSON)", t))

    from service.domain.dates import parse_bounds

    t, _ = timed(lambda: parse_bounds("2024-01-05?"), max(repeat, 20))
    rows.append(("parse_bounds, one EDTF string (as_known_at: per record, per request)", t))
    print(f"\nrelations of {government_id} as of {as_of}: median of {repeat} runs\n")
    print("| step | ms |\n|---|---:|")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} |")


def profile(app, government_id: str, as_of: dt.date, requests: int, tool: str, output: str | None) -> None:
    url = f"/v1/governments/{government_id}/relations?as_of={as_of.isoformat()}"
    client = app.test_client()
    for _ in range(3):
        client.get(url)
    if tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(requests):
            client.get(url)
        profiler.stop()
        text = profiler.output_text(unicode=True, color=False, show_all=False)
    else:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(url)
        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        text = stream.getvalue()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--government", help="[the busiest synthetic government]")
    parser.add_argument("--as-of", default="2025-07-04")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--mode", choices=("breakdown", "cprofile", "pyinstrument"), default="breakdown")
    parser.add_argument("--output", help="write the profile text here too")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("give --database-url or DATABASE_URL")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from service import create_app
    from service.config import normalise_database_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(args.database_url)})
    with app.app_context():
        government_id = args.government or busiest_government()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.mode == "breakdown":
        with app.app_context():
            breakdown(app, government_id, as_of, args.requests)
    else:
        profile(app, government_id, as_of, args.requests, args.mode, args.output)


if __name__ == "__main__":
    main()
