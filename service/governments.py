"""/v1/governments: the governments or authorities that govern or claim a country."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select

from .api import Blueprint
from .editing import add_write_routes, record_etag
from .records import get_or_404 as get_record_or_404
from .input_schemas import GovernmentBody, GovernmentCreateBody
from .models import Government, GovernmentAlias
from .representations import Linked, collection_response, json_only
from .schemas import GovernmentPageSchema, GovernmentQuery, GovernmentSchema

blp = Blueprint(
    "governments",
    __name__,
    url_prefix="/v1/governments",
    description="Governments and authorities that govern or claim a country, with their aliases.",
)

# A government's fields, in GovernmentSchema's order, and where pages and exports read each.
WIRE_COLUMNS = {
    "id": Government.id,
    "name": Government.name,
    "aliases": Linked(GovernmentAlias.government_id, GovernmentAlias.alias, GovernmentAlias.position),
    "country": Government.country,
    "start": Government.start_edtf,
    "end": Government.end_edtf,
}


def get_or_404(government_id: str) -> Government:
    return get_record_or_404(Government, government_id, "government")


@blp.route("")
@blp.arguments(GovernmentQuery, location="query")
@blp.response(200, GovernmentPageSchema)
def list_governments(args):
    """List governments

    Ordered by id. `q` matches names and aliases, case-insensitive; `country` takes
    alpha-2 or alpha-3 in any case.
    """
    statement = select(Government)
    if "q" in args:
        needle = args["q"].lower()
        alias_matches = exists().where(
            GovernmentAlias.government_id == Government.id,
            func.lower(GovernmentAlias.alias).contains(needle, autoescape=True),
        )
        statement = statement.where(
            or_(func.lower(Government.name).contains(needle, autoescape=True), alias_matches)
        )
    if "country" in args:
        statement = statement.where(Government.country == args["country"])
    return collection_response(
        statement, Government.id, args, columns=WIRE_COLUMNS, name="governments"
    )


@blp.route("/<string:government_id>")
@blp.response(200, GovernmentSchema)
@json_only
def get_government(government_id: str):
    """Get one government

    The `ETag` names the record's version: send it as `If-Match` to edit.
    """
    government = get_or_404(government_id)
    return government, 200, {"ETag": record_etag(government)}


add_write_routes(
    blp, resource="governments", label="government", singular="government",
    create_schema=GovernmentCreateBody, body_schema=GovernmentBody, response_schema=GovernmentSchema,
)
