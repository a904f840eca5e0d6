"""/v1/governments: the governments or authorities that govern or claim a country."""
from __future__ import annotations

from flask_smorest import abort
from sqlalchemy import exists, func, or_, select

from .api import Blueprint
from .extensions import db
from .models import Government, GovernmentAlias
from .pagination import paginate
from .schemas import GovernmentPageSchema, GovernmentQuery, GovernmentSchema

blp = Blueprint(
    "governments",
    __name__,
    url_prefix="/v1/governments",
    description="Governments and authorities, with their aliases.",
)


@blp.route("")
@blp.arguments(GovernmentQuery, location="query", as_kwargs=True)
@blp.response(200, GovernmentPageSchema)
def list_governments(limit: int, cursor: str | None = None, q: str | None = None, country: str | None = None):
    """List governments

    Ordered by id. `q` matches names and aliases, case-insensitive.
    """
    statement = select(Government)
    if q:
        needle = q.lower()
        alias_matches = exists().where(
            GovernmentAlias.government_id == Government.id,
            func.lower(GovernmentAlias.alias).contains(needle, autoescape=True),
        )
        statement = statement.where(
            or_(func.lower(Government.name).contains(needle, autoescape=True), alias_matches)
        )
    if country:
        statement = statement.where(Government.country == country)
    page = paginate(statement, Government.id, limit, cursor)
    headers = {"Link": page.link_header()} if page.next_cursor else {}
    return {"items": page.items, "next_cursor": page.next_cursor}, 200, headers


@blp.route("/<string:government_id>")
@blp.response(200, GovernmentSchema)
def get_government(government_id: str):
    """Get one government"""
    government = db.session.get(Government, government_id)
    if government is None:
        abort(404, message=f"No government has the id '{government_id}'.")
    return government
