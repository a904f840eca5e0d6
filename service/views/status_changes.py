"""/v1/status-changes and /v1/governments/{id}/status-changes: what changed in whose status, as JSON, CSV or Atom.

Transitions are recorded by the writes that cause them (``service.store.transitions``);
these views read them back. The JSON feeds page like ``/v1/changes``, with
``after=SEQ``: a reader keeps the last seq it handled. The Atom feeds give the newest
entries for feed readers (``service.http.atom``).
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import abort

from ..http.api import Blueprint
from ..http.atom import ATOM, feed
from ..http.negotiation import JSON, csv_response, json_only, wants_csv
from ..http.problems import PROBLEM_MIMETYPE
from ..schemas.fields import DEFAULT_LIMIT
from ..schemas.transitions import (
    CSV_COLUMNS,
    AllStatusChangesQuery,
    AtomQuery,
    StatusChangePageSchema,
    StatusChangeSchema,
    StatusChangesQuery,
    csv_row,
)
from ..store.transitions import TransitionFilter, government_known, newest_transitions, transition_at, transitions_after
from .changes import next_link
from .declare import NEGOTIATED_HEADERS, listing, may_not_find

blp = Blueprint(
    "status-changes",
    __name__,
    url_prefix="/v1",
    description="Status changes: each write that moves a pair's status, as a feed (JSON, CSV, Atom).",
)

ATOM_RESPONSE = {
    200: {
        "description": "An Atom 1.0 feed (RFC 4287), newest entry first.",
        "content": {ATOM: {"schema": {"type": "string", "description": "Atom XML"}}},
    }
}


def known_government(government_id: str) -> dict[str, str]:
    government = government_known(government_id)
    if government is None:
        abort(404, message=f"No government has the id '{government_id}'.")
    return government


def page(args: dict, only: TransitionFilter, name: str):
    items, next_after = transitions_after(args.get("after", 0), args.get("limit", DEFAULT_LIMIT), only)
    headers = {"Vary": "Accept"}
    if next_after is not None:
        headers["Link"] = next_link(next_after)
    if wants_csv(args.get("format")):
        return csv_response(CSV_COLUMNS, (csv_row(item) for item in items), name, headers)
    return Response(orjson.dumps({"items": items, "next_after": next_after}), mimetype=JSON, headers=headers)


def filtered(args: dict, government: str | None = None) -> TransitionFilter:
    return TransitionFilter(government or args.get("government"), args.get("country"), args.get("category"))


def wants_atom() -> None:
    """406 for a caller that accepts no Atom (nor XML)."""
    if request.headers.get("Accept") and not request.accept_mimetypes.best_match(
        [ATOM, "application/xml", PROBLEM_MIMETYPE]
    ):
        abort(406, message=f"This resource is available as {ATOM}.")


def atom_response(args: dict, only: TransitionFilter, title: str, json_endpoint: str, **path: str) -> Response:
    wants_atom()
    items = newest_transitions(args.get("limit", DEFAULT_LIMIT), only)
    query = {key: value for key, value in request.args.items() if key in ("country", "category")}
    body = feed(
        items,
        title=title,
        feed_id=f"{request.host_url.rstrip('/')}{request.path}",
        self_url=request.url,
        json_url=url_for(json_endpoint, _external=True, **path, **query),
        page_url=lambda item: f"{request.host_url}governments/{item['government']['id']}/{item['country']}",
        relation_url=lambda item: url_for(
            "relations.get_relation", government_id=item["government"]["id"], country=item["country"], _external=True
        ),
        item_url=lambda item: url_for("status-changes.get_status_change", seq=item["seq"], _external=True),
    )
    return Response(body, mimetype=ATOM, headers={"Vary": "Accept"})


@blp.route("/status-changes", endpoint="list_status_changes")
class StatusChanges(MethodView):
    @blp.doc(operationId="listStatusChanges")
    @listing(blp, AllStatusChangesQuery, StatusChangePageSchema, NEGOTIATED_HEADERS)
    def get(self, args: dict):
        """Status changes of every government

        Each write that changed what the relations answer says about a (government,
        country) pair, oldest first: one entry per pair and write. `from` is the
        status (category and how sure it is) the pair was answered with today just
        before the write and `to` the one after it, so a pair's entries chain (each
        `from` is the previous `to`). `effective` is the day from which the new status
        holds, with the date it comes from, in its own precision (null for "from an
        unknown day"); then who wrote it and why, and the sources. A change of
        certainty is a change too: `none, possibly ambassadors exchanged` becoming
        `ambassadors exchanged` is an entry. A write that corrects another day (an
        edited start date) without changing today's status is an entry too, with
        `corrects_another_day: true`, `from` equal to `to`, that day as `effective`
        and its status before and after in `corrected`. Entries are recorded for
        writes only, never for the passing of days.

        Resume with `after` set to the last `seq` you handled. `category` matches the
        new status's `category` (`to.category`). The same entries go to webhook
        subscribers, and as Atom to feed readers (`/v1/status-changes.atom`).
        `format=csv` (or `Accept: text/csv`) gives one row per entry, with the columns
        `seq`, `at`, `government`, `country`, `country_name`, `from_category`,
        `from_certainty`, `from_possible_category`, `to_category`, `to_certainty`,
        `to_possible_category`, `effective_day`, `effective_edtf` (the date in its own
        precision), `corrects_another_day`, `title`, `change`, `actor`, `reason`,
        `sources`, `source_titles`, `source_urls` (lists joined by ` | `),
        `effective_dated_by` (`record start`, `record end`, or `first report` for a
        record without a start: known from that report, possibly earlier) and its
        `effective_dated_by_id`, then `corrected_from_category`,
        `corrected_from_certainty`, `corrected_to_category`, `corrected_to_certainty`
        (empty unless a correction).

        The seed case records eight: Russia `no records → recognized` from 3 July 2025
        (its recognition), then two corrections "from an unknown day" (Russia stays
        recognized) as its envoys' records (without a start) make the days before
        3 July `possibly limited relations`, then `possibly ambassadors exchanged`;
        China and the UAE each `no records → limited relations` and `limited
        relations → ambassadors exchanged` from 3 July 2025 (the day of the report
        that gives their envoys, known from that report: their start is not given);
        Qatar `no records → limited relations` from 3 July 2025.
        """
        return page(args, filtered(args), "status-changes")


@blp.route("/status-changes/<int(max=4611686018427387904):seq>", endpoint="get_status_change")
class StatusChange(MethodView):
    @blp.doc(operationId="getStatusChange")
    @may_not_find(blp)
    @blp.response(200, StatusChangeSchema)
    @json_only
    def get(self, seq: int):
        """One status change

        The entry with this `seq`, as in the feeds and webhook deliveries.
        """
        item = transition_at(seq)
        if item is None:
            abort(404, message=f"No status change has the seq {seq}.")
        return Response(orjson.dumps(item), mimetype=JSON)


@blp.route("/governments/<string:government_id>/status-changes", endpoint="list_government_status_changes")
class GovernmentStatusChanges(MethodView):
    @blp.doc(operationId="listGovernmentStatusChanges")
    @may_not_find(blp)
    @listing(blp, StatusChangesQuery, StatusChangePageSchema, NEGOTIATED_HEADERS)
    def get(self, args: dict, government_id: str):
        """Status changes of a government

        The entries of `/v1/status-changes` about this government, oldest first, paged
        the same way (`after`, `limit`), filtered by `country` and `category`
        (`to.category`). 404 for an id no government ever had.
        """
        known_government(government_id)
        return page(args, filtered(args, government_id), f"status-changes-{government_id}")


@blp.route("/status-changes.atom", endpoint="status_changes_atom")
class StatusChangesAtom(MethodView):
    @blp.doc(operationId="getStatusChangesAtom", responses=ATOM_RESPONSE)
    @blp.arguments(AtomQuery, location="query")
    def get(self, args: dict):
        """Status changes of every government, as Atom

        The newest entries of `/v1/status-changes` (default 50) as an Atom 1.0 feed for
        feed readers: one entry per change, titled in plain words ("Russian Federation:
        no records → recognized, from 3 July 2025"; an uncertain status says
        "possibly … (uncertain)"), linking to the pair's page, its relations answer
        and the entry's JSON, citing the sources. Each entry has a stable `id`
        (`urn:uuid:`, derived from the status change), `updated` and `published` (the
        write's time), an `author` (who wrote it), a `category` (`to.category`) and
        content saying the status before and after with how sure each is, from which
        day it holds (a day that is only a first report's reads "known from", never
        as the day relations began), and the sources with their links. Poll it with
        `If-None-Match`: the same entries give the same ETag, answered 304.
        """
        return atom_response(args, filtered(args), "Status changes", "status-changes.list_status_changes")


@blp.route("/governments/<string:government_id>/status-changes.atom", endpoint="government_status_changes_atom")
class GovernmentStatusChangesAtom(MethodView):
    @blp.doc(operationId="getGovernmentStatusChangesAtom", responses=ATOM_RESPONSE)
    @may_not_find(blp)
    @blp.arguments(AtomQuery, location="query")
    def get(self, args: dict, government_id: str):
        """Status changes of a government, as Atom

        The newest entries of `/v1/governments/{government_id}/status-changes` as an
        Atom 1.0 feed, as `/v1/status-changes.atom` describes.
        """
        government: dict[str, Any] = known_government(government_id)
        return atom_response(
            args,
            filtered(args, government_id),
            f"Status changes: {government['name']}",
            "status-changes.list_government_status_changes",
            government_id=government_id,
        )
