"""POST, PATCH and DELETE for governments, recognitions, ambassador exchanges and sources.

- Every write needs a ``write`` token; its name is the change's ``actor``, and an
  optional ``X-Change-Reason`` header its ``reason``.
- PATCH and DELETE need ``If-Match`` with the record's current ETag (428 without it,
  412 when stale). The check is the conditional UPDATE/DELETE itself
  (``WHERE version = :seen``), so of several writers holding one ETag exactly one wins.
- A write and its change-log entry commit together; any failure rolls both back.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Optional

from flask import g, request, url_for
from flask_smorest import abort
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from . import auth
from .api import Blueprint
from .extensions import db
from .input_guards import unstorable
from .records import (
    MODELS,
    HasDependents,
    InvalidReference,
    create_record,
    delete_record,
    get_or_404,
    snapshot,
    update_record,
)

REASON_HEADER = "X-Change-Reason"
ETAG_PATTERN = re.compile(r'^"v([0-9]{1,18})"$')
JSON_TYPES = {"application/json", "application/merge-patch+json"}


def record_etag(record: Any) -> str:
    """A strong ETag that names the record's version: the same version, the same bytes."""
    return f'"v{record.version}"'


def change_reason() -> Optional[str]:
    reason = request.headers.get(REASON_HEADER)
    if reason is None:
        return None
    reason = reason.strip()
    if unstorable(reason):
        abort(422, message=f"{REASON_HEADER} may not contain NUL characters.", errors={REASON_HEADER: ["contains a NUL character"]})
    if len(reason) > 500:
        abort(422, message=f"{REASON_HEADER} is longer than 500 characters.", errors={REASON_HEADER: ["too long"]})
    return reason or None


def json_body(view):
    """415 for a body that is not JSON, 400 for no body at all, before anything else reads it."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if request.mimetype not in JSON_TYPES:
            abort(415, message="Send the body as application/json.")
        if not request.get_data(cache=True):
            abort(400, message="The body is empty; send a JSON object.")
        return view(*args, **kwargs)

    return checked


def required_version() -> int:
    """The version named by If-Match.

    428 without one (or an empty one); 400 for a value that is not one of our ETags
    (a list, ``*`` or a weak tag: send exactly the ETag you read, so the edit is
    checked against the version it was made on); the caller answers 412 when the
    named version is no longer current.
    """
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        abort(428, message="Send If-Match with the record's ETag (from a GET) so no edit is silently lost.")
    match = ETAG_PATTERN.match(header)
    if match is None:
        abort(400, message='If-Match must be exactly the ETag you read, such as "v3".',
              errors={"If-Match": ['expected one ETag of the form "v<number>"']})
    return int(match.group(1))


def refuse_if_none_match(record: Any) -> None:
    """If-None-Match on a write is a precondition too (RFC 9110 13.1.2): naming the
    record's current ETag (compared weakly), or ``*``, fails it: 412, nothing written."""
    condition = request.if_none_match
    if condition and (condition.star_tag or condition.contains_weak(record_etag(record).strip('"'))):
        abort(412, message="If-None-Match matches the record as it stands; nothing was changed.")


def stale() -> None:
    db.session.rollback()
    abort(412, message="The record changed since you read it; GET it again and reapply your edit.")


def load_or_404(resource: str, record_id: str, label: str) -> Any:
    return get_or_404(MODELS[resource], record_id, label)


def validate_body(schema: Schema, fields: dict) -> dict:
    try:
        return schema.load(fields)
    except ValidationError as error:
        abort(422, message="The record is not valid; see errors.", errors=error.messages_dict)
        raise


def invalid_reference(error: InvalidReference) -> None:
    db.session.rollback()
    abort(422, message=str(error), errors={error.field: [str(error)]})


def written(resource: str, record: Any, status: int, extra_headers: Optional[dict] = None):
    headers = {"ETag": record_etag(record), **(extra_headers or {})}
    return record, status, headers


def create(resource: str, body: dict, get_endpoint: str):
    """Insert a validated body; 409 when a client-chosen id is taken."""
    fields = dict(body)
    if "id" in fields and db.session.get(MODELS[resource], fields["id"]) is not None:
        abort(409, message=f"A record with the id '{fields['id']}' exists already.")
    try:
        record = create_record(resource, fields, actor=g.actor, reason=change_reason())
        db.session.commit()
    except InvalidReference as error:
        invalid_reference(error)
    except IntegrityError:
        # Another writer took the same id between the check and the insert.
        db.session.rollback()
        abort(409, message="The record conflicts with one stored meanwhile; GET the collection and retry.")
    location = url_for(get_endpoint, **{VIEW_ARG[resource]: record.id})
    return written(resource, record, 201, {"Location": location})


def patch(resource: str, record_id: str, label: str, body: dict, full_schema: Schema):
    seen_version = required_version()
    record = load_or_404(resource, record_id, label)
    if record.version != seen_version:
        stale()
    refuse_if_none_match(record)
    current = {key: value for key, value in snapshot(resource, record).items() if key in full_schema.fields}
    merged = validate_body(full_schema, {**current, **body})
    try:
        stored = full_schema.load(current)  # the record as it stands, in the same loaded form
    except ValidationError:
        stored = {}  # written before today's rules (seed, synth): any field sent counts as a change
    changed = {key: value for key, value in merged.items() if key in body and value != stored.get(key)}
    if not changed:
        # Nothing to change: no new version, no change entry; the answer is the record as it is.
        return written(resource, record, 200)
    try:
        update_record(resource, record, changed, actor=g.actor, reason=change_reason())
        db.session.commit()
    except InvalidReference as error:
        invalid_reference(error)
    except StaleDataError:
        stale()
    return written(resource, record, 200)


def delete(resource: str, record_id: str, label: str):
    seen_version = required_version()
    record = load_or_404(resource, record_id, label)
    if record.version != seen_version:
        stale()
    refuse_if_none_match(record)
    try:
        delete_record(resource, record, actor=g.actor, reason=change_reason())
        db.session.commit()
    except HasDependents as error:
        db.session.rollback()
        abort(409, message=f"Cannot delete: {error}.", errors={"dependents": error.dependents})
    except StaleDataError:
        stale()
    return "", 204, {}


VIEW_ARG = {
    "governments": "government_id",
    "recognitions": "record_id",
    "ambassador-exchanges": "record_id",
    "sources": "record_id",
}


def add_write_routes(blp: Blueprint, *, resource: str, label: str, singular: str,
                     create_schema: type[Schema], body_schema: type[Schema],
                     response_schema: type[Schema]) -> None:
    """POST on the collection, PATCH and DELETE on the item, documented per resource."""
    item_rule = f"/<string:{VIEW_ARG[resource]}>"
    full_schema = body_schema()

    get_endpoint = f"{blp.name}.get_{singular}"

    def create_view(body):
        return create(resource, body, get_endpoint)

    def patch_view(body, **view_args):
        return patch(resource, view_args[VIEW_ARG[resource]], label, body, full_schema)

    def delete_view(**view_args):
        return delete(resource, view_args[VIEW_ARG[resource]], label)

    create_view.__name__ = f"create_{singular}"
    create_view.__doc__ = f"Create a {label}\n\nNeeds a `write` token. Answers 201 with `Location` and `ETag`."
    patch_view.__name__ = f"update_{singular}"
    patch_view.__doc__ = (
        f"Update a {label}\n\nPartial: only the fields sent change, and the merged record is validated as a "
        "whole. Needs a `write` token and `If-Match` with the current ETag."
    )
    delete_view.__name__ = f"delete_{singular}"
    delete_view.__doc__ = (
        f"Delete a {label}\n\nNeeds a `write` token and `If-Match` with the current ETag. "
        "409 while other records still refer to it."
    )

    # Outermost first: authentication, then the content type, then the body.
    writer = auth.requires("write")
    blp.route("", methods=["POST"])(writer(json_body(
        blp.arguments(create_schema, location="json")(blp.response(201, response_schema)(create_view))
    )))
    # A named subclass, so the contract shows the partial body under its own name.
    patch_schema = type(f"{body_schema.__name__}Patch", (body_schema,), {})(partial=True)
    blp.route(item_rule, methods=["PATCH"])(writer(json_body(
        blp.arguments(patch_schema, location="json")(blp.response(200, response_schema)(patch_view))
    )))
    blp.route(item_rule, methods=["DELETE"])(writer(blp.response(204)(delete_view)))
