"""Small builders for test records, written through the same path as the seed."""

from __future__ import annotations

import itertools

from service.store.database import db
from service.store.registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, SOURCES
from service.store.writes import create_record

_numbers = itertools.count(1)


def source(published: str | None = "2000-01-01", **fields) -> str:
    number = next(_numbers)
    record = create_record(
        SOURCES,
        {
            "id": f"src_t{number:06d}",
            "publisher": "Test Wire",
            "title": f"Report {number}",
            "published": published,
            "kind": "news",
            "url": None,
            "note": None,
            **fields,
        },
        actor="test",
    )
    return record.id


def government(government_id: str = "xx-test", start: str | None = None, country: str = "AF") -> str:
    create_record(
        GOVERNMENTS,
        {"id": government_id, "name": f"Government {government_id}", "aliases": [], "country": country, "start": start},
        actor="test",
    )
    return government_id


def recognition(
    country: str,
    start: str | None,
    end: str | None = None,
    *,
    government_id: str = "xx-test",
    sources: list[str] | None = None,
    form: str = "de_jure",
    **fields,
) -> str:
    record = create_record(
        RECOGNITIONS,
        {
            "id": f"rcg_t{next(_numbers):06d}",
            "government": government_id,
            "country": country,
            "form": form,
            "start": start,
            "end": end,
            "sources": sources or [source()],
            **fields,
        },
        actor="test",
    )
    return record.id


def exchange(
    country: str,
    direction: str,
    rank: str = "ambassador",
    start: str | None = "2000-01-01",
    end: str | None = None,
    *,
    government_id: str = "xx-test",
    sources: list[str] | None = None,
    **fields,
) -> str:
    record = create_record(
        AMBASSADOR_EXCHANGES,
        {
            "id": f"amb_t{next(_numbers):06d}",
            "government": government_id,
            "country": country,
            "direction": direction,
            "rank": rank,
            "start": start,
            "end": end,
            "sources": sources or [source()],
            **fields,
        },
        actor="test",
    )
    return record.id


def commit() -> None:
    db.session.commit()
