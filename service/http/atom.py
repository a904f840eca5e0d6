"""Status changes as an Atom 1.0 feed (RFC 4287), built with ElementTree.

One entry per transition, newest first. An entry's ``id`` is a ``urn:uuid`` derived
from the transition (so it never changes, and two deployments never share one), its
``title`` the change in plain words, its ``author`` the editor who made the write,
its links the pair's page (HTML), the pair's relations answer and the transition
itself (JSON); its content says how sure the new status is and cites the sources.
The feed's ``updated`` is its newest entry's time, so the same entries give the same
bytes (and ETag).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any

from ..domain.vocabulary import CATEGORY_WORDS, CERTAINTY_WORDS

ATOM = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPOCH = "1970-01-01T00:00:00Z"
ENTRY_NAMESPACE = uuid.UUID("6f1b5c1e-3c51-4c8e-9a43-5d8a4f0f4b11")  # ours: names status-change entries

ET.register_namespace("", ATOM_NS)
ET.register_namespace("xhtml", XHTML_NS)


def atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def xhtml(tag: str) -> str:
    return f"{{{XHTML_NS}}}{tag}"


def child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def entry_id(item: dict[str, Any]) -> str:
    key = f"status-change/{item['seq']}/{item['at']}/{item['government']['id']}/{item['country']}"
    return f"urn:uuid:{uuid.uuid5(ENTRY_NAMESPACE, key)}"


def utc(text: str) -> str:
    """RFC 3339 as Atom readers like it: ``Z`` for UTC."""
    return text.replace("+00:00", "Z")


def status_line(label: str, status: dict[str, str]) -> str:
    """A status in words; an uncertain one says so and what it could be, never as settled."""
    if status["certainty"] == "no_records":
        return f"{label}: {CERTAINTY_WORDS['no_records']}"
    line = f"{label}: {CATEGORY_WORDS[status['category']]} ({CERTAINTY_WORDS[status['certainty']]})"
    if status["certainty"] == "uncertain":
        line += f", possibly {CATEGORY_WORDS[status['possible_category']]}"
    return line


def effective_line(effective: dict[str, Any] | None) -> str:
    """From when the new status holds; a day that is only a first report's says so."""
    if effective is None:
        return "Holds from: an unknown day (the records give no first day)"
    dated = effective.get("dated_by")
    if dated and dated["field"] == "published":
        return (
            f"Known from: {effective['day']}, the day it was first reported ({dated['id']}, published "
            f"{effective['edtf']}); its start is not given, so it may have held before"
        )
    if dated:
        return f"Holds from: {effective['day']} (the {dated['field']} given by {dated['id']}: {effective['edtf']})"
    return f"Holds from: {effective['day']}"


def content(parent: ET.Element, item: dict[str, Any]) -> None:
    """The entry's content: both statuses, the effective day, the sources with links."""
    body = child(parent, atom("content"), type="xhtml")
    div = child(body, xhtml("div"))
    child(div, xhtml("p"), item["title"])
    facts = child(div, xhtml("ul"))
    child(facts, xhtml("li"), status_line("Before", item["from"]))
    child(facts, xhtml("li"), status_line("Now", item["to"]))
    child(facts, xhtml("li"), effective_line(item["effective"]))
    corrected = item.get("corrected")
    if corrected:
        child(facts, xhtml("li"), "A correction: the status today is unchanged")
        child(facts, xhtml("li"), status_line("On the corrected day, before", corrected["from"]))
        child(facts, xhtml("li"), status_line("On the corrected day, now", corrected["to"]))
    reason = f" ({item['reason']})" if item["reason"] else ""
    child(facts, xhtml("li"), f"Recorded {utc(item['at'])} by {item['actor']}{reason}, change {item['change']}")
    child(div, xhtml("p"), "Sources:" if item["sources"] else "Sources: none (no record is on file)")
    cited = child(div, xhtml("ul"))
    for source in item["sources"]:
        line = child(cited, xhtml("li"))
        published = f", {source['published']}" if source.get("published") else ""
        text = f"{source['publisher']}: {source['title']}{published}"
        if source.get("url"):
            child(line, xhtml("a"), text, href=source["url"])
        else:
            line.text = text


def feed(
    items: Iterable[dict[str, Any]],
    *,
    title: str,
    feed_id: str,
    self_url: str,
    json_url: str,
    page_url: Callable[[dict[str, Any]], str],
    relation_url: Callable[[dict[str, Any]], str],
    item_url: Callable[[dict[str, Any]], str],
) -> bytes:
    """The feed document, UTF-8, entries in the order given (newest first)."""
    items = list(items)
    root = ET.Element(atom("feed"))
    child(root, atom("id"), feed_id)
    child(root, atom("title"), title)
    child(root, atom("updated"), utc(items[0]["at"]) if items else EPOCH)
    author = child(root, atom("author"))
    child(author, atom("name"), "recognition-status")
    child(root, atom("link"), rel="self", type=ATOM, href=self_url)
    child(root, atom("link"), rel="alternate", type="application/json", href=json_url)
    child(root, atom("generator"), "recognition-status")
    for item in items:
        entry = child(root, atom("entry"))
        child(entry, atom("id"), entry_id(item))
        child(entry, atom("title"), item["title"])
        child(entry, atom("updated"), utc(item["at"]))
        child(entry, atom("published"), utc(item["at"]))
        author = child(entry, atom("author"))
        child(author, atom("name"), item["actor"])
        child(entry, atom("link"), rel="alternate", type="text/html", href=page_url(item))
        child(entry, atom("link"), rel="related", type="application/json", href=relation_url(item))
        child(entry, atom("link"), rel="via", type="application/json", href=item_url(item))
        to = item["to"]
        child(entry, atom("category"), term=to["category"], label=CATEGORY_WORDS[to["category"]])
        child(entry, atom("summary"), item["title"])
        content(entry, item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
