"""Status transitions: recorded by each write that changes a pair's status, in its transaction.

The write path (``service.store.writes``) asks ``watch`` for the timelines of the
pairs a write can touch before it changes anything, and ``announce`` after it logged
its change: each pair whose timeline moved gets one ``StatusTransition`` (its wire
form kept as written), and each webhook subscription that wants it a message in the
outbox. All of it is added to the write's session, so it commits or rolls back with
the write. The rule is ``service.domain.transitions``.

Which pairs a write touches:

- a recognition or an exchange: its pair, and the pair it left when its government or
  country changed;
- a source (an update or a delete): every pair with a record citing it, since a
  record without a start is dated by its sources' ``published``;
- a government: none (its fields are not part of any pair's status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..domain.countries import country_name
from ..domain.relations import Fact, deciding, relation_row, today
from ..domain.transitions import Change, Timeline, dated_by, representative_day, timeline, title, transition
from .changes import lock_change_log
from .database import db
from .models import Change as LoggedChange
from .models import Government, StatusTransition
from .registry import RELATION_RECORDS, SOURCES, Resource
from .relations import live_records

Pair = tuple[str, str]  # (government id, country)


@dataclass
class PairState:
    government: dict[str, Any]
    facts: list[Fact]
    sources: dict[str, dict]
    published: dict[str, dt.date | None]

    @property
    def spans(self):
        return {fact.id: fact.span(self.published) for fact in self.facts}

    def timeline(self) -> Timeline:
        return timeline(self.facts, self.spans)


def pair_state(pair: Pair) -> PairState | None:
    records = live_records(*pair)
    if records is None:
        return None
    return PairState(records.government, records.recognitions + records.exchanges, records.sources, records.published)


def pairs_citing(source_id: str) -> set[Pair]:
    """The pairs with a record that cites the source."""
    pairs: set[Pair] = set()
    for resource in RELATION_RECORDS:
        model, link = resource.model, resource.cites["sources"].link
        statement = (select(model.government_id, model.country).join(link.owner.class_, link.owner == model.id)).where(
            link.value == source_id
        )
        pairs.update((government, country) for government, country in db.session.execute(statement))
    return pairs


@dataclass
class Watch:
    """The timelines of the pairs a write may change, read before it changes anything."""

    before: dict[Pair, Timeline] = field(default_factory=dict)

    def add(self, pairs: Iterable[Pair]) -> None:
        for pair in pairs:
            if pair not in self.before:
                state = pair_state(pair)
                if state is not None:
                    self.before[pair] = state.timeline()


def pair_of(record: Mapping[str, Any] | None) -> set[Pair]:
    if not record or not record.get("government") or not record.get("country"):
        return set()
    return {(record["government"], record["country"])}


def watch(resource: Resource, before: Mapping[str, Any] | None, fields: Mapping[str, Any] | None) -> Watch:
    """Read the timelines the write of ``fields`` over ``before`` (None: a new record) may change.

    The change-log lock comes first: the write would take it anyway to log its change,
    and taking it before this read means a concurrent write about the same pair has
    committed (or not begun) by then, so two writes never compute their ``from`` from
    the same state (PostgreSQL; SQLite's writes already hold its one write lock)."""
    watched = Watch()
    if resource in RELATION_RECORDS or (resource is SOURCES and before is not None):
        lock_change_log()
    if resource in RELATION_RECORDS:
        after = {**(before or {}), **(fields or {})}
        watched.add(pair_of(before) | pair_of(after))
    elif resource is SOURCES and before is not None:
        watched.add(pairs_citing(before["id"]))
    return watched


def announce(watched: Watch, logged: LoggedChange, day: dt.date | None = None) -> list[StatusTransition]:
    """Record a transition for each watched pair whose timeline the write moved; fan each out."""
    from .subscriptions import fan_out  # the subscriptions read transitions; this breaks the cycle

    day = day or today()
    recorded = []
    for pair in sorted(watched.before):
        state = pair_state(pair)
        if state is None:
            continue
        change = transition(watched.before[pair], state.timeline(), day)
        if change is None:
            continue
        row = StatusTransition(
            change_seq=logged.seq,
            at=logged.at,
            government_id=pair[0],
            country=pair[1],
            to_category=change.after.category,
            body=wire_body(pair, state, change, logged, day),
        )
        db.session.add(row)
        recorded.append(row)
    if recorded:
        db.session.flush()  # each gets its seq
        for row in recorded:
            fan_out(row)
    return recorded


def wire_body(pair: Pair, state: PairState, change: Change, logged: LoggedChange, day: dt.date) -> dict[str, Any]:
    """The transition as the API shows it, but for its ``seq`` (given at insert)."""
    government, country = pair
    spans = state.spans
    shown_on = day if not change.corrects_another_day else representative_day(state.timeline(), change.effective, day)
    row = relation_row(country, state.facts, state.sources, state.published, shown_on)
    deciding_ids = [entry["id"] for entry in row["basis"]] + [
        f.id for f in deciding(state.facts, change.shown.category)
    ]
    dated = (
        dated_by(change.effective, state.facts, spans, state.sources, deciding_ids)
        if change.effective is not None
        else None
    )
    edtf = dated.edtf if dated else None
    effective = None
    if change.effective is not None:
        effective = {
            "day": change.effective.isoformat(),
            "edtf": edtf,
            "dated_by": {"resource": dated.resource, "id": dated.id, "field": dated.field} if dated else None,
        }
    name = country_name(country)
    return {
        "government": {"id": government, "name": state.government["name"]},
        "country": country,
        "country_name": name,
        "title": title(name, change, dated),
        "from": change.before.wire(),
        "to": change.after.wire(),
        "effective": effective,
        "corrects_another_day": change.corrects_another_day,
        "corrected": {"from": change.corrected[0].wire(), "to": change.corrected[1].wire()}
        if change.corrected
        else None,
        "at": aware(logged.at).isoformat(),
        "change": logged.seq,
        "actor": logged.actor,
        "reason": logged.reason,
        "basis": row["basis"],
        "sources": row["sources"],
    }


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def wire(row: StatusTransition) -> dict[str, Any]:
    """A stored transition's wire form: its seq, then what was written."""
    return {"seq": row.seq, **row.body}


# --- reading them back -----------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionFilter:
    government: str | None = None
    country: str | None = None
    category: str | None = None

    def apply(self, statement):
        if self.government:
            statement = statement.where(StatusTransition.government_id == self.government)
        if self.country:
            statement = statement.where(StatusTransition.country == self.country)
        if self.category:
            statement = statement.where(StatusTransition.to_category == self.category)
        return statement


def transitions_after(after: int, limit: int, only: TransitionFilter) -> tuple[list[dict[str, Any]], int | None]:
    """A page of transitions with a seq above ``after``, oldest first, and the seq to resume after (None: the end)."""
    statement = only.apply(select(StatusTransition).where(StatusTransition.seq > after))
    rows = db.session.scalars(statement.order_by(StatusTransition.seq).limit(limit + 1)).all()
    next_after = rows[limit - 1].seq if len(rows) > limit else None
    return [wire(row) for row in rows[:limit]], next_after


def newest_transitions(limit: int, only: TransitionFilter) -> list[dict[str, Any]]:
    statement = only.apply(select(StatusTransition)).order_by(StatusTransition.seq.desc()).limit(limit)
    return [wire(row) for row in db.session.scalars(statement)]


def transition_at(seq: int) -> dict[str, Any] | None:
    row = db.session.get(StatusTransition, seq)
    return wire(row) if row else None


def government_known(government_id: str) -> dict[str, str] | None:
    """The government (id and name) as it is, or as its last transition named it; None if never known."""
    government = db.session.get(Government, government_id)
    if government is not None:
        return {"id": government.id, "name": government.name}
    row = db.session.scalars(
        select(StatusTransition)
        .where(StatusTransition.government_id == government_id)
        .order_by(StatusTransition.seq.desc())
        .limit(1)
    ).first()
    return row.body["government"] if row else None
