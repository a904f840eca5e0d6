"""Breaking changes between two OpenAPI 3.x documents: the v1 compatibility gate.

    python tests/contract/compat.py tests/contract/v1-baseline.yaml openapi.yaml

prints every breaking change of the second document against the first and exits 1 when
there is one (2 on unreadable input). ``tests/test_compat.py`` runs the same check on the
committed ``openapi.yaml`` in ``make test``.

No maintained diff tool that installs here from npm or PyPI reads OpenAPI 3.1 (see the
README, "Contract compatibility"), so this is a focused checker. Local ``$ref`` are
resolved (with their siblings), ``allOf`` is merged, and ``anyOf``/``oneOf`` with a
``{"type": "null"}`` branch count as nullable. Every schema is compared in the direction
its data travels:

- requests (parameters, request bodies): what the old contract accepted must still be
  accepted. Breaking: a new required parameter, request body or body field; an optional one
  made required; a removed parameter, body, media type or field (the service answers 422
  to unknown parameters and fields); a type no longer accepted (``null`` included); a
  removed enum value; a tighter ``maxLength``/``minimum``/``pattern``/``format``/... .
- responses: what the old contract promised must still hold. Breaking: a removed status
  code, media type, header or property; a header or property no longer required; a type
  the old one did not allow (``null`` included, ``string`` → ``integer``); a changed or
  dropped ``format``; a removed enum value; and an *added* enum value, because a client
  reads that field and has no meaning for the new value (new properties, status codes,
  headers and paths are fine: they are only more to ignore).

What narrows a response or widens a request is compatible: a response type that loses
``null``, a request field that becomes optional, a looser request constraint. Security
that asks more than before (an operation that was anonymous, or a scope more) is
breaking. Descriptions, examples, links and ``operationId`` are not compared.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST, RESPONSE = "request", "response"
NULL_BRANCH = "x-compat-null-branch"  # set on a flattened anyOf/oneOf that had a null branch

# Constraints a request value must meet; a tighter one refuses what was accepted.
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")


@dataclass(frozen=True, order=True)
class Finding:
    """One breaking change: ``kind`` names the rule, ``where`` the place, ``detail`` the change."""

    where: str
    kind: str
    detail: str

    @property
    def key(self) -> str:
        """What an allow-list line matches (fnmatch patterns)."""
        return f"{self.kind} {self.where}: {self.detail}"

    def __str__(self) -> str:
        return self.key


class ContractFormatError(ValueError):
    """The document cannot be compared (an external or dangling $ref, ...)."""


# --- reading --------------------------------------------------------------------------


def load(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise ContractFormatError(f"{path}: not an OpenAPI 3.x document")
    return document


def load_allowed(path: str | Path) -> list[str]:
    """Allow-list lines: ``PATTERN  # reason``; blank lines and ``#`` lines are skipped.

    A line without a reason is refused: every accepted break must say why.
    """
    patterns = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        pattern, _, reason = text.partition(" # ")
        if not reason.strip():
            raise ContractFormatError(f"{path}:{number}: an allowed change needs ' # reason' after it")
        patterns.append(pattern.strip())
    return patterns


def is_allowed(finding: Finding, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(finding.key, pattern) for pattern in patterns)


class Document:
    """A document whose local ``$ref`` can be followed."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise ContractFormatError(f"only local $ref are supported, not {ref!r}")
        node: Any = self.data
        for token in filter(None, ref[1:].split("/")):
            token = token.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ContractFormatError(f"dangling $ref {ref!r}") from None
        return node

    def resolve(self, node: Any, refs: tuple[str, ...] = ()) -> tuple[Any, tuple[str, ...]]:
        """The node with its ``$ref`` chain followed (siblings of ``$ref`` win), and the refs seen."""
        siblings: dict[str, Any] = {}
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in refs:
                break  # a cycle of bare references: nothing more to learn
            refs += (ref,)
            siblings = {**{k: v for k, v in node.items() if k != "$ref"}, **siblings}
            node = self.pointer(ref)
        if siblings and isinstance(node, dict):
            node = {**node, **siblings}
        return node, refs


# --- schemas --------------------------------------------------------------------------


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null"
        or schema.get("type") == ["null"]
        or schema.get("const", ...) is None
        or schema.get("enum") == [None]
    )


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    """The JSON types a schema allows; None for any."""
    kind = schema.get("type")
    if kind is None:
        types = None
    elif isinstance(kind, list):
        types = set(kind)
    else:
        types = {kind}
    if types is not None and schema.get("nullable") is True:  # OpenAPI 3.0
        types.add("null")
    return types


def _allows_null(schema: Mapping[str, Any]) -> bool:
    types = _types(schema)
    if types is not None:
        return "null" in types
    if "anyOf" in schema or "oneOf" in schema:
        return bool(schema.get(NULL_BRANCH))
    values = _enum(schema)
    return values is None or "null" in values


def _covers(types: set[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _enum(schema: Mapping[str, Any]) -> dict[str, Any] | None:
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    else:
        return None
    return {json.dumps(value, sort_keys=True): value for value in values}


class SchemaComparison:
    """Compares two schemas in one direction, collecting findings."""

    def __init__(self, old: Document, new: Document, findings: list[Finding]):
        self.old, self.new, self.findings = old, new, findings

    def add(self, where: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(where, kind, detail))

    def flatten(self, document: Document, schema: Any, refs: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The schema resolved, with allOf merged and a null branch of anyOf/oneOf folded into its type."""
        node, refs = document.resolve(schema, refs)
        if node is True or node is None:
            return {}, refs
        if node is False:
            return {"not": {}}, refs
        if not isinstance(node, dict):
            raise ContractFormatError(f"not a schema: {node!r}")
        node = dict(node)
        for part in node.pop("allOf", []) or []:
            part, refs = self.flatten(document, part, refs)
            merged_required = sorted(set(node.get("required", [])) | set(part.get("required", [])))
            node = {**part, **node, "properties": {**part.get("properties", {}), **node.get("properties", {})}}
            if not node["properties"]:
                del node["properties"]
            if merged_required:
                node["required"] = merged_required
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if not isinstance(branches, list):
                continue
            resolved = [document.resolve(branch, refs)[0] for branch in branches]
            nullable = any(_is_null_schema(branch) for branch in resolved)
            rest = [branch for branch, plain in zip(branches, resolved, strict=True) if not _is_null_schema(plain)]
            if not nullable:
                continue
            del node[keyword]
            if len(rest) == 1:
                inner, refs = self.flatten(document, rest[0], refs)
                node = {**inner, **{k: v for k, v in node.items() if k not in ("type",)}}
            else:
                node[keyword] = rest
                node[NULL_BRANCH] = True
            types = _types(node)
            if types is not None:
                node["type"] = sorted(types | {"null"})
            node.pop("nullable", None)
        return node, refs

    def compare(
        self,
        old_schema: Any,
        new_schema: Any,
        where: str,
        direction: str,
        stack: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        old, old_refs = self.flatten(self.old, old_schema, ())
        new, new_refs = self.flatten(self.new, new_schema, ())
        visit = ("|".join(old_refs), "|".join(new_refs))
        if (old_refs or new_refs) and visit in stack:
            return  # a recursive schema: this pair is being compared further up
        stack = stack | {visit}

        self.compare_types(old, new, where, direction)
        self.compare_enums(old, new, where, direction)
        if direction == REQUEST:
            self.compare_request_constraints(old, new, where)
        else:
            old_format, new_format = old.get("format"), new.get("format")
            if old_format and old_format != new_format:
                self.add(where, "response-format-changed", f"format {old_format} -> {new_format or 'none'}")
        self.compare_properties(old, new, where, direction, stack)
        if isinstance(old.get("items"), (dict, bool)) and isinstance(new.get("items"), (dict, bool)):
            self.compare(old["items"], new["items"], f"{where}[]", direction, stack)
        old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, f"{where}{{*}}", direction, stack)
        elif direction == REQUEST and old_extra is not False and new_extra is False:
            self.add(where, "request-additional-properties-closed", "fields it did not name are now refused")
        for keyword in ("anyOf", "oneOf"):
            old_branches, new_branches = old.get(keyword), new.get(keyword)
            if isinstance(old_branches, list) and isinstance(new_branches, list):
                for index, (before, after) in enumerate(zip(old_branches, new_branches, strict=False)):
                    self.compare(before, after, f"{where}<{keyword}[{index}]>", direction, stack)
                if direction == REQUEST and len(new_branches) < len(old_branches):
                    self.add(
                        where,
                        "request-variant-removed",
                        f"{keyword} {len(old_branches)} -> {len(new_branches)} branches",
                    )
                if direction == RESPONSE and len(new_branches) > len(old_branches):
                    self.add(
                        where,
                        "response-variant-added",
                        f"{keyword} {len(old_branches)} -> {len(new_branches)} branches",
                    )

    def compare_types(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, direction: str) -> None:
        old_null, new_null = _allows_null(old), _allows_null(new)
        old_types, new_types = _types(old), _types(new)
        old_types = None if old_types is None else old_types - {"null"}
        new_types = None if new_types is None else new_types - {"null"}
        if direction == REQUEST:
            if old_types is None:
                lost = [] if new_types is None else ["any type but " + "/".join(sorted(new_types))]
            else:
                lost = sorted(t for t in old_types if not _covers(new_types, t))
            if old_null and not new_null:
                lost.append("null")
            if lost:
                self.add(where, "request-type-narrowed", f"no longer accepts {', '.join(lost)}")
        else:
            if new_types is None:
                gained = [] if old_types is None else ["any type but " + "/".join(sorted(old_types))]
            else:
                gained = sorted(t for t in new_types if not _covers(old_types, t))
            if new_null and not old_null:
                gained.append("null")
            if gained:
                self.add(where, "response-type-widened", f"may now be {', '.join(gained)}")

    def compare_enums(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str, direction: str) -> None:
        old_enum, new_enum = _enum(old), _enum(new)
        if old_enum is not None and new_enum is not None:
            for key in sorted(old_enum.keys() - new_enum.keys()):
                self.add(where, f"{direction}-enum-value-removed", f"enum value {key}")
            if direction == RESPONSE:
                for key in sorted(new_enum.keys() - old_enum.keys()):
                    self.add(where, "response-enum-value-added", f"enum value {key}")
        elif old_enum is not None and direction == RESPONSE:
            self.add(where, "response-enum-dropped", "any value instead of " + ", ".join(sorted(old_enum)))
        elif new_enum is not None and direction == REQUEST:
            self.add(where, "request-enum-added", "only " + ", ".join(sorted(new_enum)) + " accepted")

    def compare_request_constraints(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        def tighter(name: str, before: Any, after: Any, upper: bool) -> None:
            if after is None or isinstance(after, bool) or isinstance(before, bool):
                return
            if before is None or (after < before if upper else after > before):
                self.add(
                    where,
                    "request-constraint-tightened",
                    f"{name} {before if before is not None else 'none'} -> {after}",
                )

        for name in UPPER_BOUNDS:
            tighter(name, old.get(name), new.get(name), upper=True)
        for name in LOWER_BOUNDS:
            tighter(name, old.get(name), new.get(name), upper=False)
        for name in ("pattern", "format", "multipleOf"):
            if new.get(name) is not None and new.get(name) != old.get(name):
                self.add(where, "request-constraint-tightened", f"{name} {old.get(name, 'none')} -> {new[name]}")
        if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
            self.add(where, "request-constraint-tightened", "uniqueItems false -> true")

    def compare_properties(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        where: str,
        direction: str,
        stack: frozenset[tuple[str, str]],
    ) -> None:
        old_properties = old.get("properties") or {}
        new_properties = new.get("properties") or {}
        old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
        for name in sorted(old_properties):
            place = f"{where}.{name}"
            if name not in new_properties:
                self.add(place, f"{direction}-property-removed", "property removed")
                continue
            if direction == RESPONSE and name in old_required and name not in new_required:
                self.add(place, "response-property-became-optional", "no longer required")
            if direction == REQUEST and name in new_required and name not in old_required:
                self.add(place, "request-property-became-required", "now required")
            self.compare(old_properties[name], new_properties[name], place, direction, stack)
        if direction == REQUEST:
            for name in sorted(new_required - set(old_properties)):
                self.add(f"{where}.{name}", "request-property-required-added", "new required field")
        else:
            for name in sorted(old_required - set(old_properties) - new_required):
                self.add(f"{where}.{name}", "response-property-became-optional", "no longer required")


# --- operations -----------------------------------------------------------------------


def _template_names(path: str) -> list[str]:
    names, depth, current = [], 0, ""
    for char in path:
        if char == "{":
            depth += 1
            current = ""
        elif char == "}":
            depth -= 1
            names.append(current)
        elif depth:
            current += char
    return names


def _path_key(path: str) -> str:
    """Paths that differ only in parameter names are one path to a client."""
    for name in _template_names(path):
        path = path.replace(f"{{{name}}}", "{}", 1)
    return path


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict, dict]]:
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                yield path, method, item, item[method]


def _parameter_schema(parameter: Mapping[str, Any]) -> Any:
    if "schema" in parameter:
        return parameter["schema"]
    for media in (parameter.get("content") or {}).values():
        return media.get("schema")
    return None


def _parameters(
    document: Document, path: str, item: Mapping[str, Any], operation: Mapping[str, Any]
) -> dict[tuple[str, str], dict]:
    """(in, name) → parameter, the operation's overriding the path item's.

    Header names are matched without case, path parameters by their place in the path
    (a renamed ``{id}`` is the same URL to a client).
    """
    template = _template_names(path)
    found: dict[tuple[str, str], dict] = {}
    for source in (item.get("parameters") or [], operation.get("parameters") or []):
        for parameter in source:
            parameter, _ = document.resolve(parameter)
            location, name = parameter.get("in", ""), str(parameter.get("name", ""))
            if location == "header":
                name = name.lower()
            elif location == "path" and name in template:
                name = f"#{template.index(name)}"
            found[(location, name)] = parameter
    return found


def _security(document: Mapping[str, Any], operation: Mapping[str, Any]) -> list[dict[str, frozenset]]:
    requirements = operation["security"] if "security" in operation else document.get("security", [])
    if not requirements:
        return [{}]  # no requirement: anonymous calls are fine
    return [{scheme: frozenset(scopes or ()) for scheme, scopes in requirement.items()} for requirement in requirements]


def _no_stricter(new: Mapping[str, frozenset], old: Mapping[str, frozenset]) -> bool:
    return all(scheme in old and scopes <= old[scheme] for scheme, scopes in new.items())


def _headers(document: Document, response: Mapping[str, Any]) -> dict[str, dict]:
    return {name.lower(): document.resolve(header)[0] for name, header in (response.get("headers") or {}).items()}


def compare_operation(
    old: Document,
    new: Document,
    where: str,
    old_path: str,
    old_item: dict,
    old_op: dict,
    new_path: str,
    new_item: dict,
    new_op: dict,
    findings: list[Finding],
) -> None:
    schemas = SchemaComparison(old, new, findings)

    def add(place: str, kind: str, detail: str) -> None:
        findings.append(Finding(place, kind, detail))

    # parameters
    old_parameters = _parameters(old, old_path, old_item, old_op)
    new_parameters = _parameters(new, new_path, new_item, new_op)
    for key, before in old_parameters.items():
        label = f"{where} {key[0]} parameter {before.get('name')}"
        after = new_parameters.get(key)
        if after is None:
            add(label, "parameter-removed", "parameter removed")
            continue
        if after.get("required") and not before.get("required"):
            add(label, "parameter-became-required", "now required")
        if _parameter_schema(before) is not None and _parameter_schema(after) is not None:
            schemas.compare(_parameter_schema(before), _parameter_schema(after), label, REQUEST)
    for key, after in new_parameters.items():
        if key not in old_parameters and after.get("required"):
            add(f"{where} {key[0]} parameter {after.get('name')}", "parameter-required-added", "new required parameter")

    # request body
    old_body = old.resolve(old_op["requestBody"])[0] if "requestBody" in old_op else None
    new_body = new.resolve(new_op["requestBody"])[0] if "requestBody" in new_op else None
    if old_body is None and new_body is not None and new_body.get("required"):
        add(f"{where} request body", "request-body-required-added", "new required request body")
    elif old_body is not None and new_body is None:
        add(f"{where} request body", "request-body-removed", "request body removed")
    elif old_body is not None and new_body is not None:
        if new_body.get("required") and not old_body.get("required"):
            add(f"{where} request body", "request-body-became-required", "now required")
        new_content = dict(new_body.get("content") or {})
        for media_type, media in dict(old_body.get("content") or {}).items():
            label = f"{where} request {media_type}"
            if media_type not in new_content:
                add(label, "request-media-type-removed", "media type removed")
            elif "schema" in media and "schema" in new_content[media_type]:
                schemas.compare(media["schema"], new_content[media_type]["schema"], f"{label} body", REQUEST)

    # responses
    new_responses = {str(code): response for code, response in (new_op.get("responses") or {}).items()}
    for status, old_response in (old_op.get("responses") or {}).items():
        status = str(status)
        label = f"{where} {status}"
        if status not in new_responses:
            add(label, "response-status-removed", "status code removed")
            continue
        before, after = old.resolve(old_response)[0], new.resolve(new_responses[status])[0]
        new_headers = _headers(new, after)
        for name, header in _headers(old, before).items():
            place = f"{label} header {name}"
            if name not in new_headers:
                add(place, "response-header-removed", "header removed")
                continue
            if header.get("required") and not new_headers[name].get("required"):
                add(place, "response-header-became-optional", "no longer required")
            if "schema" in header and "schema" in new_headers[name]:
                schemas.compare(header["schema"], new_headers[name]["schema"], place, RESPONSE)
        new_content = dict(after.get("content") or {})
        for media_type, media in dict(before.get("content") or {}).items():
            place = f"{label} {media_type}"
            if media_type not in new_content:
                add(place, "response-media-type-removed", "media type removed")
            elif "schema" in media and "schema" in new_content[media_type]:
                schemas.compare(media["schema"], new_content[media_type]["schema"], f"{place} body", RESPONSE)

    # security
    old_security, new_security = _security(old.data, old_op), _security(new.data, new_op)
    for requirement in old_security:
        if not any(_no_stricter(candidate, requirement) for candidate in new_security):
            shown = " + ".join(
                f"{scheme}[{','.join(sorted(scopes))}]" for scheme, scopes in sorted(requirement.items())
            )
            add(f"{where} security", "security-tightened", f"{shown or 'anonymous'} no longer enough")


def breaking_changes(old_data: Mapping[str, Any], new_data: Mapping[str, Any]) -> list[Finding]:
    """Every breaking change of ``new_data`` against ``old_data``, sorted, without duplicates."""
    old, new = Document(copy.deepcopy(old_data)), Document(copy.deepcopy(new_data))
    findings: list[Finding] = []
    new_paths = {_path_key(path): (path, item) for path, item in (new.data.get("paths") or {}).items()}
    old_operations: dict[str, list] = {}
    for path, method, item, operation in _operations(old.data):
        old_operations.setdefault(path, []).append((method, item, operation))
    for path, operations in old_operations.items():
        if _path_key(path) not in new_paths:
            findings.append(Finding(path, "path-removed", "path removed"))
            continue
        new_path, new_item = new_paths[_path_key(path)]
        new_item = new.resolve(new_item)[0]
        for method, item, operation in operations:
            where = f"{method.upper()} {path}"
            if not isinstance(new_item.get(method), dict):
                findings.append(Finding(where, "operation-removed", "operation removed"))
                continue
            compare_operation(
                old, new, where, path, old.resolve(item)[0], operation, new_path, new_item, new_item[method], findings
            )
    return sorted(set(findings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Breaking changes of NEW against the BASELINE OpenAPI document.")
    parser.add_argument("baseline")
    parser.add_argument("new")
    parser.add_argument("--allowed", help="allow-list file: 'PATTERN  # reason' per line (fnmatch patterns)")
    arguments = parser.parse_args(argv)
    try:
        allowed = load_allowed(arguments.allowed) if arguments.allowed else []
        findings = breaking_changes(load(arguments.baseline), load(arguments.new))
    except (OSError, yaml.YAMLError, ContractFormatError) as error:
        print(f"compat: {error}", file=sys.stderr)
        return 2
    breaking = [finding for finding in findings if not is_allowed(finding, allowed)]
    for finding in findings:
        print(("allowed   " if finding not in breaking else "BREAKING  ") + finding.key)
    print(
        f"{len(breaking)} breaking, {len(findings) - len(breaking)} allowed: "
        f"{arguments.new} against {arguments.baseline}"
    )
    return 1 if breaking else 0


if __name__ == "__main__":
    sys.exit(main())
