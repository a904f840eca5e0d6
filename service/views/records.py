"""The routes of the stored resources: /v1/<name> and /v1/<name>/<id>.

Governments, recognitions, ambassador exchanges and sources answer alike, so one
MethodView per route serves them all: ``RecordCollection`` (a filtered page or
export; a new record) and ``RecordItem`` (one record: read, edit, delete).
``record_blueprint`` binds them to a resource of the registry (``service.store.registry``):
a subclass per resource, with the resource's schemas and its operation ids. Each
method's docstring is its operation's summary and description, with the resource's
names filled in (``{label}``, ``{plural}``, ``{list_description}``).

Writes need a ``write`` token; PATCH and DELETE need ``If-Match`` with the record's
current ETag. The check is the conditional UPDATE/DELETE itself (``WHERE version =
:seen``), so of several writers holding one ETag exactly one wins. A write and its
change-log entry commit together; any failure rolls both back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..http import auth
from ..http.api import Blueprint
from ..http.collections import collection_response
from ..http.idempotency import finish_write, idempotent
from ..http.negotiation import json_only
from ..http.preconditions import change_reason, record_etag, refuse_if_none_match, required_condition
from ..store.database import db
from ..store.pages import WireReader, filtered
from ..store.registry import GOVERNMENTS, Resource
from ..store.writes import HasDependents, InvalidReference, create_record, delete_record, snapshot, update_record
from .declare import (
    CREATED_HEADERS,
    PAGE_HEADERS,
    UPDATED_HEADERS,
    browsers_go_to_page,
    declared,
    editing,
    listing,
    may_conflict,
    may_not_find,
    redirects_browsers,
    templated_doc,
    writing,
)

ITEM_ENDPOINT = "item"
writer = auth.requires("write")


def get_or_404(resource: Resource, record_id: str) -> Any:
    """The record with this id, or a 404 problem naming what was looked for."""
    record = db.session.get(resource.model, record_id)
    if record is None:
        hint = ""
        if resource is GOVERNMENTS:  # people guess governments' ids from their names
            hint = f" To find its id: GET /v1/governments?{urlencode({'q': record_id[:200]})}"
        abort(404, message=f"No {resource.label} has the id '{record_id}'.{hint}")
    return record


def written(record: Any, status: int, extra_headers: dict | None = None):
    return record, status, {"ETag": record_etag(record), **(extra_headers or {})}


def stale() -> None:
    db.session.rollback()
    abort(412, message="The record changed since you read it; GET it again and reapply your edit.")


def invalid_reference(error: InvalidReference) -> None:
    db.session.rollback()
    abort(422, message=str(error), errors={error.field: [str(error)]})


def validate_body(schema: Schema, fields: dict) -> dict:
    try:
        return schema.load(fields)
    except ValidationError as error:
        abort(422, message="The record is not valid; see errors.", errors=error.messages_dict)
        raise


def current_version(resource: Resource, record_id: str) -> Any:
    """The record an edit names, if ``If-Match`` matches it as it stands (else 428, 400 or 412).

    The edit is then made on the version read here: the conditional UPDATE/DELETE
    (``WHERE version = :read``) still refuses it if another writer got there first."""
    condition = required_condition()
    record = get_or_404(resource, record_id)
    if not condition.matches(record):
        stale()
    refuse_if_none_match(record)
    return record


class RecordCollection(MethodView):
    """A stored resource's collection: its records, filtered, as pages or a CSV export; and new records."""

    resource: ClassVar[Resource]

    def get(self, args: dict):
        """List {plural}

        {list_description}
        """
        reader = WireReader.of(self.resource, filtered(self.resource, args))
        return collection_response(reader, args, self.resource.name)

    def post(self, body: dict):
        """Create a {label}

        Needs a `write` token. Answers 201 with `Location` and `ETag`. Send an
        `Idempotency-Key` to retry it safely.
        """
        resource, fields = self.resource, dict(body)
        if "id" in fields and db.session.get(resource.model, fields["id"]) is not None:
            abort(409, message=f"A record with the id '{fields['id']}' exists already.")
        try:
            record = create_record(resource, fields, actor=g.actor, reason=change_reason())
            finish_write()
        except InvalidReference as error:
            invalid_reference(error)
        except IntegrityError:
            # Another writer took the same id between the check and the insert.
            db.session.rollback()
            abort(409, message="The record conflicts with one stored meanwhile; GET the collection and retry.")
        location = url_for(f"{resource.name}.{ITEM_ENDPOINT}", **{resource.id_parameter: record.id})
        return written(record, 201, {"Location": location})


class RecordItem(MethodView):
    """One record of a stored resource, by id: read it, edit it, delete it."""

    resource: ClassVar[Resource]

    def dispatch_request(self, **view_args: Any):
        # The path names the id after the resource (government_id) or not (record_id).
        return super().dispatch_request(record_id=view_args[self.resource.id_parameter])

    def get(self, record_id: str):
        """Get one {label}

        The `ETag` names the record's version: send it as `If-Match` to edit.
        """
        record = get_or_404(self.resource, record_id)
        return record, 200, {"ETag": record_etag(record)}

    def patch(self, body: dict, record_id: str):
        """Update a {label}

        Partial: only the fields sent change, and the merged record is validated as a
        whole. Needs a `write` token and `If-Match` with the current ETag.
        """
        resource = self.resource
        record = current_version(resource, record_id)
        full_schema = resource.patch_body()
        current = {key: value for key, value in snapshot(resource, record).items() if key in full_schema.fields}
        merged = validate_body(full_schema, {**current, **body})
        try:
            stored = full_schema.load(current)  # the record as it stands, in the same loaded form
        except ValidationError:
            stored = {}  # written before today's rules (seed, synth): any field sent counts as a change
        changed = {key: value for key, value in merged.items() if key in body and value != stored.get(key)}
        if not changed:
            # Nothing to change: no new version, no change entry; the answer is the record as it is.
            return written(record, 200)
        try:
            update_record(resource, record, changed, actor=g.actor, reason=change_reason())
            db.session.commit()
        except InvalidReference as error:
            invalid_reference(error)
        except StaleDataError:
            stale()
        return written(record, 200)

    def delete(self, record_id: str):
        """Delete a {label}

        Needs a `write` token and `If-Match` with the current ETag. 409 while other
        records still refer to it.
        """
        record = current_version(self.resource, record_id)
        try:
            delete_record(self.resource, record, actor=g.actor, reason=change_reason())
            db.session.commit()
        except HasDependents as error:
            db.session.rollback()
            abort(409, message=f"Cannot delete: {error}.", errors={"dependents": error.dependents})
        except StaleDataError:
            stale()
        return "", 204, {}


def contract_links(resource: Resource, *, created: bool) -> dict[str, dict]:
    """OpenAPI links from a create (or an update) to the operations that can follow it:
    the id comes from the body, the ``If-Match`` value from the ``ETag`` header."""
    title, parameter = resource.title, resource.id_parameter
    by_id = {parameter: "$response.body#/id"}
    with_version = {**by_id, "header.If-Match": "$response.header.ETag"}
    links = {
        f"Get{title}": {"operationId": f"get{title}", "parameters": by_id},
        f"Update{title}": {"operationId": f"update{title}", "parameters": with_version},
        f"Delete{title}": {"operationId": f"delete{title}", "parameters": with_version},
    }
    if created:
        for operation_id in (f"get{title}History", *resource.follow_ups):
            links[operation_id[:1].upper() + operation_id[1:]] = {"operationId": operation_id, "parameters": by_id}
    return links


def bound(view: type[MethodView], resource: Resource, name: str, methods: Mapping[str, Callable]) -> type[MethodView]:
    """A subclass of ``view`` serving ``resource``, with its methods declared for it."""
    return type(f"{resource.title}{name}", (view,), {"resource": resource, **methods})


def documented(blp: Blueprint, view: Callable, operation_id: str, resource: Resource) -> Callable:
    """``view`` (a method of the shared views) documented for ``resource`` under ``operation_id``."""
    names = {"label": resource.label, "plural": resource.plural, "list_description": resource.wire.list_description}
    return templated_doc(blp, view, operation_id, names)


def links(blp: Blueprint, status: int, resource: Resource, *, created: bool) -> Callable:
    return blp.doc(responses={status: {"links": contract_links(resource, created=created)}})


def record_blueprint(resource: Resource) -> Blueprint:
    """The blueprint of one stored resource, made from its registry entry."""
    blp = Blueprint(resource.name, __name__, url_prefix=resource.path, description=resource.wire.description)
    title = resource.title
    # A government has a page for people: a browser asking for its API URL is sent there.
    for_browsers = (browsers_go_to_page(blp), redirects_browsers) if resource is GOVERNMENTS else ()
    collection = {
        "get": declared(
            documented(blp, RecordCollection.get, f"list{title}s", resource),
            listing(blp, resource.query, resource.page, PAGE_HEADERS),
        ),
        "post": declared(
            documented(blp, RecordCollection.post, f"create{title}", resource),
            idempotent,
            links(blp, 201, resource, created=True),
            *may_conflict(blp, resource.id_prefix is None),  # the body names the id: it may be taken
            writing(blp, resource.body, 201, resource.schema, CREATED_HEADERS),
        ),
    }
    item = {
        "get": declared(
            documented(blp, RecordItem.get, f"get{title}", resource),
            may_not_find(blp),
            blp.response(200, resource.schema, headers={"Vary": "Vary"} if for_browsers else None),
            *for_browsers,
            json_only,
        ),
        "patch": declared(
            documented(blp, RecordItem.patch, f"update{title}", resource),
            links(blp, 200, resource, created=False),
            editing(blp),
            writing(blp, resource.patch_body(partial=True), 200, resource.schema, UPDATED_HEADERS),
        ),
        "delete": declared(
            documented(blp, RecordItem.delete, f"delete{title}", resource),
            editing(blp),
            *may_conflict(blp, bool(resource.cited_by)),  # others may still cite it
            writer,
            blp.response(204),
        ),
    }
    blp.route("")(bound(RecordCollection, resource, "Collection", collection))
    blp.route(f"/<string:{resource.id_parameter}>", endpoint=ITEM_ENDPOINT)(bound(RecordItem, resource, "Item", item))
    return blp
