"""/v1/recognitions, /v1/ambassador-exchanges and /v1/sources: the sourced records."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from .api import Blueprint
from .editing import add_write_routes, record_etag
from .input_schemas import AmbassadorExchangeBody, RecognitionBody, SourceBody
from .in_force import in_force_on
from .models import AmbassadorExchange, ExchangeSource, Recognition, RecognitionSource, Source
from .records import get_or_404
from .representations import Linked, collection_response, json_only
from .schemas import (
    AmbassadorExchangePageSchema,
    AmbassadorExchangeQuery,
    AmbassadorExchangeSchema,
    RecognitionPageSchema,
    RecognitionQuery,
    RecognitionSchema,
    SourcePageSchema,
    SourceQuery,
    SourceSchema,
)


def add_item_route(blp: Blueprint, model: type, label: str, singular: str, schema: type) -> None:
    """GET one record, with the version-naming ETag that PATCH and DELETE expect back."""

    def get_item(record_id: str):
        record = get_or_404(model, record_id, label)
        return record, 200, {"ETag": record_etag(record)}

    get_item.__name__ = f"get_{singular}"
    get_item.__doc__ = f"Get one {label}\n\nThe `ETag` names the record's version: send it as `If-Match` to edit."
    blp.route("/<string:record_id>")(blp.response(200, schema)(json_only(get_item)))


def record_filters(statement, model, args, enum_fields: tuple[str, ...]):
    """Filters shared by recognitions and exchanges: government, country, enumerations, as_of."""
    if "government" in args:
        statement = statement.where(model.government_id == args["government"])
    if "country" in args:
        statement = statement.where(model.country == args["country"])
    for name in enum_fields:
        if name in args:
            statement = statement.where(getattr(model, name) == args[name])
    if "as_of" in args:
        statement = statement.where(in_force_on(model, args["as_of"]))
    return statement


recognitions = Blueprint(
    "recognitions",
    __name__,
    url_prefix="/v1/recognitions",
    description="Formal recognitions of a government by a country.",
)
# A record's fields, in its schema's order, and where pages and exports read each.
RECOGNITION_COLUMNS = {
    "id": Recognition.id,
    "government": Recognition.government_id,
    "country": Recognition.country,
    "form": Recognition.form,
    "start": Recognition.start_edtf,
    "end": Recognition.end_edtf,
    "end_reason": Recognition.end_reason,
    "note": Recognition.note,
    "sources": Linked(RecognitionSource.recognition_id, RecognitionSource.source_id, RecognitionSource.source_id),
}


@recognitions.route("")
@recognitions.arguments(RecognitionQuery, location="query")
@recognitions.response(200, RecognitionPageSchema)
def list_recognitions(args):
    """List recognitions

    Ordered by id. `as_of` keeps the records in force on that day.
    """
    statement = record_filters(select(Recognition), Recognition, args, ("form",))
    return collection_response(
        statement, Recognition.id, args, columns=RECOGNITION_COLUMNS, name="recognitions"
    )



add_item_route(recognitions, Recognition, "recognition", "recognition", RecognitionSchema)
add_write_routes(
    recognitions, resource="recognitions", label="recognition", singular="recognition",
    create_schema=RecognitionBody, body_schema=RecognitionBody, response_schema=RecognitionSchema,
)


exchanges = Blueprint(
    "ambassador-exchanges",
    __name__,
    url_prefix="/v1/ambassador-exchanges",
    description="Accreditations between a country and a government, one direction each.",
)
EXCHANGE_COLUMNS = {
    "id": AmbassadorExchange.id,
    "government": AmbassadorExchange.government_id,
    "country": AmbassadorExchange.country,
    "direction": AmbassadorExchange.direction,
    "rank": AmbassadorExchange.rank,
    "envoy": AmbassadorExchange.envoy,
    "start": AmbassadorExchange.start_edtf,
    "end": AmbassadorExchange.end_edtf,
    "note": AmbassadorExchange.note,
    "sources": Linked(ExchangeSource.exchange_id, ExchangeSource.source_id, ExchangeSource.source_id),
}


@exchanges.route("")
@exchanges.arguments(AmbassadorExchangeQuery, location="query")
@exchanges.response(200, AmbassadorExchangePageSchema)
def list_ambassador_exchanges(args):
    """List ambassador exchanges

    Ordered by id. `as_of` keeps the accreditations in force on that day.
    """
    statement = record_filters(select(AmbassadorExchange), AmbassadorExchange, args, ("direction", "rank"))
    return collection_response(
        statement, AmbassadorExchange.id, args,
        columns=EXCHANGE_COLUMNS, name="ambassador-exchanges",
    )



add_item_route(exchanges, AmbassadorExchange, "ambassador exchange", "ambassador_exchange", AmbassadorExchangeSchema)
add_write_routes(
    exchanges, resource="ambassador-exchanges", label="ambassador exchange", singular="ambassador_exchange",
    create_schema=AmbassadorExchangeBody, body_schema=AmbassadorExchangeBody, response_schema=AmbassadorExchangeSchema,
)


sources = Blueprint(
    "sources",
    __name__,
    url_prefix="/v1/sources",
    description="Citations behind every record.",
)
SOURCE_COLUMNS = {
    "id": Source.id,
    "url": Source.url,
    "publisher": Source.publisher,
    "title": Source.title,
    "published": Source.published_edtf,
    "kind": Source.kind,
    "note": Source.note,
}


@sources.route("")
@sources.arguments(SourceQuery, location="query")
@sources.response(200, SourcePageSchema)
def list_sources(args):
    """List sources

    Ordered by id. `q` matches publisher and title, case-insensitive.
    """
    statement = select(Source)
    if "q" in args:
        needle = args["q"].lower()
        statement = statement.where(
            or_(
                func.lower(Source.publisher).contains(needle, autoescape=True),
                func.lower(Source.title).contains(needle, autoescape=True),
            )
        )
    if "kind" in args:
        statement = statement.where(Source.kind == args["kind"])
    return collection_response(statement, Source.id, args, columns=SOURCE_COLUMNS, name="sources")



add_item_route(sources, Source, "source", "source", SourceSchema)
add_write_routes(
    sources, resource="sources", label="source", singular="source",
    create_schema=SourceBody, body_schema=SourceBody, response_schema=SourceSchema,
)
