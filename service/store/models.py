"""Database models. Integrity lives in the database: keys, NOT NULL, CHECKs, UNIQUEs.

Dates are stored as the EDTF text plus the earliest and latest day it can mean
(see ``service.domain.dates``), so "in force on day D" is a plain indexed comparison.
Each such date is also mapped under its wire name (``start``, ``published``) as a
synonym of its text column: setting it parses the bounds, and queries read the text.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, MappedColumn, declared_attr, mapped_column, relationship, synonym

from ..domain.dates import parse_bounds
from ..domain.vocabulary import (
    CATEGORIES,
    CHANGE_ACTIONS,
    CHANGE_RESOURCES,
    EXCHANGE_DIRECTIONS,
    EXCHANGE_RANKS,
    OUTBOX_STATES,
    RECOGNITION_FORMS,
    SOURCE_KINDS,
    SUBSCRIPTION_STATES,
    TOKEN_SCOPES,
)
from .database import db

COUNTRY_CODE_CHECK = "length({col}) = 2 AND upper({col}) = {col}"


def enum_column(values: tuple[str, ...], name: str) -> Enum:
    """A VARCHAR with a CHECK listing the allowed values, the same on every engine."""
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def new_record_id(prefix: str) -> str:
    """Opaque record id: a type prefix and 16 random bytes, URL-safe."""
    return f"{prefix}_{secrets.token_hex(10)}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


TIMESTAMP = DateTime(timezone=True)


def edtf_date(prefix: str):
    """``prefix`` under its wire name: reads the EDTF text; setting it also sets the day bounds."""

    def get(record) -> str | None:
        return getattr(record, f"{prefix}_edtf")

    def set_(record, text: str | None) -> None:
        bounds = parse_bounds(text) if text is not None else None
        setattr(record, f"{prefix}_edtf", bounds.text if bounds else None)
        setattr(record, f"{prefix}_earliest", bounds.earliest if bounds else None)
        setattr(record, f"{prefix}_latest", bounds.latest if bounds else None)

    return synonym(f"{prefix}_edtf", descriptor=property(get, set_))


def bounds_check(prefix: str) -> CheckConstraint:
    """An EDTF date's text and bounds: all null, or all set with earliest <= latest."""
    text, earliest, latest = (f"{prefix}_{part}" for part in ("edtf", "earliest", "latest"))
    return CheckConstraint(
        f"({text} IS NULL AND {earliest} IS NULL AND {latest} IS NULL) OR "
        f"({text} IS NOT NULL AND {earliest} IS NOT NULL AND {latest} IS NOT NULL AND {earliest} <= {latest})",
        name=f"{prefix}_bounds",
    )


def cited_source() -> MappedColumn:
    """A link table's source id: a source cited by a record cannot be deleted."""
    return mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True, index=True)


class EdtfPeriod:
    """Start and end of a record as EDTF text with day bounds."""

    start_edtf: Mapped[str | None] = mapped_column(String(64))
    start_earliest: Mapped[dt.date | None] = mapped_column(Date)
    start_latest: Mapped[dt.date | None] = mapped_column(Date)
    end_edtf: Mapped[str | None] = mapped_column(String(64))
    end_earliest: Mapped[dt.date | None] = mapped_column(Date)
    end_latest: Mapped[dt.date | None] = mapped_column(Date)

    @staticmethod
    def period_checks() -> tuple[CheckConstraint, ...]:
        return (
            bounds_check("start"),
            bounds_check("end"),
            CheckConstraint(
                "start_earliest IS NULL OR end_latest IS NULL OR end_latest >= start_earliest",
                name="end_not_before_start",
            ),
        )

    @declared_attr
    def start(cls):
        return edtf_date("start")

    @declared_attr
    def end(cls):
        return edtf_date("end")


class Versioned:
    """Row version for optimistic concurrency: every UPDATE and DELETE is conditional on it.

    The application sets the version (``version_id_generator=False``): a record
    re-created under an id it had before continues that id's numbering, so an ETag
    from before the delete can never match the new record.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version, "version_id_generator": False}


class Government(Versioned, EdtfPeriod, db.Model):
    __tablename__ = "governments"
    __table_args__ = (
        CheckConstraint(COUNTRY_CODE_CHECK.format(col="country"), name="country_code"),
        CheckConstraint("length(id) >= 2", name="id_not_empty"),
        CheckConstraint("length(name) >= 1", name="name_not_empty"),
        *EdtfPeriod.period_checks(),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    aliases: Mapped[list[GovernmentAlias]] = relationship(
        back_populates="government",
        cascade="all, delete-orphan",
        order_by="GovernmentAlias.position",
        lazy="selectin",
    )

    @property
    def alias_names(self) -> list[str]:
        return [alias.alias for alias in self.aliases]

    @alias_names.setter
    def alias_names(self, names: list[str] | None) -> None:
        """Replace the aliases, keeping the rows of names that stay; the list's order is kept."""
        kept = {alias.alias: alias for alias in self.aliases}
        self.aliases = [kept.get(name) or GovernmentAlias(alias=name) for name in names or []]
        for position, alias in enumerate(self.aliases):
            alias.position = position


class GovernmentAlias(db.Model):
    __tablename__ = "government_aliases"
    __table_args__ = (CheckConstraint("length(alias) >= 1", name="alias_not_empty"),)

    government_id: Mapped[str] = mapped_column(ForeignKey("governments.id", ondelete="CASCADE"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    government: Mapped[Government] = relationship(back_populates="aliases")


class Source(Versioned, db.Model):
    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint("length(publisher) >= 1", name="publisher_not_empty"),
        CheckConstraint("length(title) >= 1", name="title_not_empty"),
        bounds_check("published"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    publisher: Mapped[str] = mapped_column(String(300), nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False)
    published_edtf: Mapped[str | None] = mapped_column(String(64))
    published_earliest: Mapped[dt.date | None] = mapped_column(Date)
    published_latest: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(enum_column(SOURCE_KINDS, "source_kind"), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    published = edtf_date("published")


class RecognitionSource(db.Model):
    __tablename__ = "recognition_sources"

    recognition_id: Mapped[str] = mapped_column(ForeignKey("recognitions.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[str] = cited_source()


class ExchangeSource(db.Model):
    __tablename__ = "ambassador_exchange_sources"

    exchange_id: Mapped[str] = mapped_column(
        ForeignKey("ambassador_exchanges.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[str] = cited_source()


class Recognition(Versioned, EdtfPeriod, db.Model):
    """Country ``country`` formally recognizes government ``government_id``."""

    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint(COUNTRY_CODE_CHECK.format(col="country"), name="country_code"),
        *EdtfPeriod.period_checks(),
        # The relations query filters by government, then by country and date bounds.
        Index("ix_recognitions_relation", "government_id", "country", "start_latest", "end_earliest"),
        # Collection pages filter by country and walk ids in order (keyset paging):
        # with id in the index no page sorts all of a country's rows.
        Index("ix_recognitions_country_id", "country", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    government_id: Mapped[str] = mapped_column(ForeignKey("governments.id", ondelete="RESTRICT"), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    form: Mapped[str] = mapped_column(enum_column(RECOGNITION_FORMS, "recognition_form"), nullable=False)
    end_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[Source]] = relationship(secondary="recognition_sources", order_by=Source.id, lazy="selectin")


class AmbassadorExchange(Versioned, EdtfPeriod, db.Model):
    """One accreditation between a country and a government, in one direction."""

    __tablename__ = "ambassador_exchanges"
    __table_args__ = (
        CheckConstraint(COUNTRY_CODE_CHECK.format(col="country"), name="country_code"),
        *EdtfPeriod.period_checks(),
        Index("ix_ambassador_exchanges_relation", "government_id", "country", "start_latest", "end_earliest"),
        Index("ix_ambassador_exchanges_country_id", "country", "id"),  # as ix_recognitions_country_id
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    government_id: Mapped[str] = mapped_column(ForeignKey("governments.id", ondelete="RESTRICT"), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    direction: Mapped[str] = mapped_column(enum_column(EXCHANGE_DIRECTIONS, "exchange_direction"), nullable=False)
    rank: Mapped[str] = mapped_column(enum_column(EXCHANGE_RANKS, "exchange_rank"), nullable=False)
    envoy: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[Source]] = relationship(
        secondary="ambassador_exchange_sources", order_by=Source.id, lazy="selectin"
    )


class Change(db.Model):
    """Append-only change log: one row per successful write, in the write's transaction."""

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_record", "resource", "record_id", "seq"),
        # A seq is never reused on SQLite either, so feed readers can trust it.
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(enum_column(CHANGE_ACTIONS, "change_action"), nullable=False)
    resource: Mapped[str] = mapped_column(enum_column(CHANGE_RESOURCES, "change_resource"), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class ApiToken(db.Model):
    """A bearer token, kept only as the SHA-256 of its secret."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
        CheckConstraint("length(name) >= 1", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    scope: Mapped[str] = mapped_column(enum_column(TOKEN_SCOPES, "token_scope"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)


class IdempotencyKey(db.Model):
    """A POST's ``Idempotency-Key`` and the answer it got, per token, for 24 hours.

    Written in the transaction of the write it answers for, so a key is stored exactly
    when its write is. ``fingerprint`` is the SHA-256 of the method, path and canonical
    body: a reuse of the key with anything else is refused.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint("token_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    token_id: Mapped[int] = mapped_column(Integer, nullable=False)
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False)


# --- alerts: status transitions, subscriptions, and the outbox that delivers them ---------------


class StatusTransition(db.Model):
    """One change of a (government, country) pair's status, recorded in the write's transaction.

    ``body`` is the transition's wire form without its ``seq`` (given only at insert);
    the other columns are what the feeds filter on.
    """

    __tablename__ = "status_transitions"
    __table_args__ = (
        CheckConstraint(COUNTRY_CODE_CHECK.format(col="country"), name="country_code"),
        Index("ix_status_transitions_government_seq", "government_id", "seq"),
        Index("ix_status_transitions_country_seq", "country", "seq"),
        {"sqlite_autoincrement": True},  # a seq is never reused: feed readers resume by it
    )

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    change_seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("changes.seq", ondelete="RESTRICT"), nullable=False
    )
    at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False)
    government_id: Mapped[str] = mapped_column(String(64), nullable=False)  # kept after the government goes
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    to_category: Mapped[str] = mapped_column(enum_column(CATEGORIES, "transition_to_category"), nullable=False)
    body: Mapped[dict] = mapped_column(JSON, nullable=False)


class Subscription(db.Model):
    """A webhook endpoint: transitions of one government (or all) matching its filters are sent to ``url``.

    ``secret`` signs the deliveries (Standard Webhooks); it is shown once, at creation.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (CheckConstraint("length(url) >= 8", name="url_not_empty"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    government_id: Mapped[str | None] = mapped_column(String(64), index=True)  # null: every government
    countries: Mapped[list | None] = mapped_column(JSON)  # null: every country
    categories: Mapped[list | None] = mapped_column(JSON)  # null: every category
    secret: Mapped[str] = mapped_column(String(200), nullable=False)
    state: Mapped[str] = mapped_column(enum_column(SUBSCRIPTION_STATES, "subscription_state"), nullable=False)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class OutboxMessage(db.Model):
    """A message to send, written in the transaction that decided it (transactional outbox).

    Generic over what is sent: ``kind`` names the sender (``service.delivery.senders``),
    ``target`` is what it sends to (a subscription id, a URL path), ``payload`` what it
    sends. Messages of one ``stream`` go out one at a time in id order; a null stream
    has no order. A deliverer claims a message by setting ``claimed_by`` and
    ``claimed_until`` (its lease); one that dies leaves a lease that expires.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_stream_id", "stream", "id"),
        Index("ix_outbox_kind_target_id", "kind", "target", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    message_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)  # the same on every retry
    stream: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(2048), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(enum_column(OUTBOX_STATES, "outbox_state"), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False, default=utcnow)
    first_attempt_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)


class OutboxAttempt(db.Model):
    """One try at sending an outbox message, and what came back."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (Index("ix_outbox_attempts_message_number", "message_id", "number"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # read, at most the cap
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    deliverer: Mapped[str] = mapped_column(String(100), nullable=False)


class DelivererLease(db.Model):
    """A named lease a deliverer holds while it runs: on SQLite, the one deliverer allowed."""

    __tablename__ = "deliverer_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, nullable=False)
