"""Check sandbox responses against Xero's official OpenAPI documents.

The sandbox is only useful if code that works against it works against Xero, so every
response the test-suite sees is compared with what Xero documents:

- ``/api.xro/2.0/...`` against ``xero_accounting.yaml`` and ``/connections`` against
  ``xero-identity.yaml``, through openapi-core (operation lookup, schema, enums, formats);
- fields marked ``x-is-msdate`` / ``x-is-msdate-time`` must be MS-JSON dates
  (``/Date(1552262400000+0000)/``): the spec types them as plain strings, so openapi-core
  alone would accept an ISO date, which Xero never sends and the SDK cannot parse;
- properties the spec does not list are refused (a typo such as ``ContactId`` would
  otherwise pass), apart from the few real Xero fields the spec forgot (SPEC_GAPS);
- statuses the spec does not model (401/403/404/429/500/503) are checked against the
  shapes Xero sends (developer.xero.com/documentation/api/accounting/responsecodes),
  and ``/connect/token`` against the identity ``AccessToken``.

``problems(exchange)`` lists what is wrong (empty = conforms); ``check(exchange)`` raises
SpecViolation with a message naming the operation and the field.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from werkzeug.datastructures import Headers, ImmutableMultiDict

import xerosandbox

SPEC_DIR = Path(xerosandbox.__file__).parent / "openapi"
XERO_API_HOST = "https://api.xero.com"  # both documents' servers live on this host
ACCOUNTING_PREFIX = "/api.xro/2.0"

# Xero's dates in responses, as in the spec's examples: "/Date(1552262400000+0000)/"; the
# envelope's DateTimeUTC has no offset. The SDK's own parser accepts a negative timestamp
# (dates before 1970), so do we.
MSDATE = re.compile(r"/Date\(-?\d+([+-]\d{4})?\)/")
# Xero's connection timestamps carry no offset and 7 fractional digits (the spec's own
# example: "2019-12-07T18:46:19.5165400"), which strict RFC 3339 "date-time" rejects.
XERO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?")
GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

# Real Xero fields that the v16.1.0 schemas do not list, so that refusing unknown properties
# does not refuse Xero itself. Evidence: the spec's own response examples (real API output),
# which show these keys on these objects; test_spec_validation proves every example passes.
_ISO_DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
SPEC_GAPS: dict[str, dict[str, dict[str, Any]]] = {
    # every accounting response envelope (e.g. PUT /Invoices 200, GET /Contacts 200)
    "__envelope__": {
        "Id": {"type": "string", "format": "uuid"},
        "Status": {"type": "string", "enum": ["OK"]},
        "ProviderName": {"type": "string"},
        "DateTimeUTC": {"type": "string", "x-is-msdate-time": True},
    },
    # GET /Invoices 200, PUT /Invoices 200: "DateString": "2019-03-11T00:00:00"
    "Invoice": {"DateString": _ISO_DAY, "DueDateString": _ISO_DAY},
    # GET /PurchaseOrders 200, GET /PurchaseOrders/{id} 200: "Type": "PURCHASEORDER" ...
    "PurchaseOrder": {"DateString": _ISO_DAY, "DeliveryDateString": _ISO_DAY,
                      "ExpectedArrivalDateString": _ISO_DAY,
                      "HasErrors": {"type": "boolean"}, "IsDiscounted": {"type": "boolean"},
                      "Type": {"type": "string", "enum": ["PURCHASEORDER"]}},
    # PUT /Invoices 200: line items and contact groups carry their own error fields
    "LineItem": {"ValidationErrors": {"type": "array",
                                      "items": {"$ref": "#/components/schemas/ValidationError"}}},
    "ContactGroup": {"HasValidationErrors": {"type": "boolean"}},
}
# A 400's Elements echo the submitted object back (spec examples, e.g. PUT /Contacts 400),
# which may hold anything the caller sent: its extra keys are not the sandbox's to control.
OPEN_SCHEMAS = ("Element",)


class SpecViolation(AssertionError):
    """A sandbox response that Xero's documents say Xero would not send."""


@dataclass(frozen=True)
class Exchange:
    """One request/response pair, whatever carried it (test client, live server)."""

    method: str
    path: str
    query: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """A response header, matched case-insensitively as HTTP does ("" when absent)."""
        wanted = name.lower()
        return next((str(v) for k, v in self.headers.items() if k.lower() == wanted), "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)

    def label(self, operation_id: str | None = None) -> str:
        where = f"{self.method} {self.path}{'?' + self.query if self.query else ''}"
        return f"{operation_id} ({where}) -> {self.status}" if operation_id else f"{where} -> {self.status}"


# -- the two documents ----------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    operation_id: str
    template: str
    method: str
    responses: Mapping[str, Any]


@dataclass
class SpecDoc:
    """One OpenAPI document: the raw dict, openapi-core's view of it, its operations."""

    raw: dict[str, Any]
    openapi: OpenAPI
    base_path: str  # path part of the server URL
    routes: list[tuple[re.Pattern[str], Operation]] = field(default_factory=list)

    def find(self, method: str, path: str) -> Operation | None:
        """The operation serving ``method path`` (a path below base_path). Literal paths win
        over templated ones; between /Contacts/{ContactID} and /Contacts/{ContactNumber} a
        GUID segment picks the ...ID template and anything else the other, as Xero does."""
        matches = [op for pattern, op in self.routes
                   if op.method == method.lower() and pattern.fullmatch(path)]
        if not matches:
            return None
        segments = path.split("/")

        def fit(op: Operation) -> tuple[int, int]:
            names = op.template.split("/")
            agree = sum(1 for seg, name in zip(segments, names) if name.startswith("{")
                        and (GUID.fullmatch(seg) is not None) == name.endswith("ID}"))
            return op.template.count("{"), -agree

        return min(matches, key=fit)

    def component_validator(self, name: str) -> OAS30Validator:
        """A jsonschema validator for ``components.schemas[name]`` (for bodies that no
        operation describes, e.g. the token response); $refs resolve inside the document."""
        registry = Registry().with_resource("urn:spec", Resource.from_contents(self.raw, DRAFT4))
        return OAS30Validator({"$ref": f"urn:spec#/components/schemas/{name}"},
                              registry=registry, format_checker=_format_checker())


def _format_checker() -> FormatChecker:
    """jsonschema's formats (uuid, date-time ...) with Xero's offset-less date-time."""
    checker = FormatChecker()
    checker.checks("date-time")(lambda value: not isinstance(value, str)
                                or XERO_DATETIME.fullmatch(value) is not None)
    return checker


def _routes(raw: dict[str, Any]) -> list[tuple[re.Pattern[str], Operation]]:
    routes = []
    for template, item in raw["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                operation = Operation(op.get("operationId", f"{method} {template}"), template,
                                      method, op["responses"])
                # Xero's paths are case-insensitive (SDKs call /Connections, apps /connections).
                routes.append((re.compile(regex, re.IGNORECASE), operation))
    return routes


def _tighten(raw: dict[str, Any]) -> None:
    """Refuse unknown properties, except where Xero really sends more than the spec lists."""
    schemas = raw["components"]["schemas"]
    for name in OPEN_SCHEMAS:
        if name in schemas:
            schemas[name]["additionalProperties"] = True
    for name, schema in schemas.items():
        extra = dict(SPEC_GAPS.get(name, {}))
        if schema.get("x-objectArrayKey"):  # the plural envelopes: Contacts, Invoices ...
            extra.update(SPEC_GAPS["__envelope__"])
        if extra:
            schema.setdefault("properties", {}).update(copy.deepcopy(extra))


def _fix_boolean_defaults(node: Any) -> None:
    """The spec gives booleans string defaults (``default: "false"``); openapi-core fills a
    missing property with its default and then rejects it, so read them as booleans."""
    if isinstance(node, dict):
        if node.get("type") == "boolean" and node.get("default") in ("true", "false"):
            node["default"] = node["default"] == "true"
        for value in node.values():
            _fix_boolean_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _fix_boolean_defaults(value)


def _load(name: str, base_path: str) -> SpecDoc:
    with open(SPEC_DIR / name, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=yaml.CSafeLoader)  # ~1 MB: the C loader takes 0.4 s
    _fix_boolean_defaults(raw)
    _tighten(raw)
    config = Config(
        spec_validator_cls=None,  # the official document does not pass strict validation
        extra_format_validators={"date-time": lambda v: XERO_DATETIME.fullmatch(v) is not None},
        additional_properties_default_policy="forbid",  # see _tighten
    )
    openapi = OpenAPI.from_dict(raw, config=config)
    return SpecDoc(raw=raw, openapi=openapi, base_path=base_path, routes=_routes(raw))


@cache
def accounting() -> SpecDoc:
    return _load("xero_accounting.yaml", ACCOUNTING_PREFIX)


@cache
def identity() -> SpecDoc:
    return _load("xero-identity.yaml", "")


# -- openapi-core adapters ------------------------------------------------------------------

class _SpecRequest:
    """An openapi-core request for ``path`` as if it had been sent to api.xero.com."""

    def __init__(self, ex: Exchange, path: str) -> None:
        self.host_url = XERO_API_HOST
        self.path = path
        self.method = ex.method.lower()
        self.body = b""
        self.content_type = "application/json"
        self.parameters = RequestParameters(query=ImmutableMultiDict(parse_qsl(ex.query)),
                                            header=Headers(), cookie=ImmutableMultiDict())


class _SpecResponse:
    def __init__(self, ex: Exchange) -> None:
        self.data = ex.body
        self.status_code = ex.status
        self.content_type = ex.content_type
        self.headers = Headers(list(ex.headers.items()))


# -- checks ---------------------------------------------------------------------------------

def check(ex: Exchange) -> None:
    found = problems(ex)
    if found:
        raise SpecViolation("response does not conform to Xero's spec:\n  " + "\n  ".join(found))


def problems(ex: Exchange) -> list[str]:
    """What is wrong with this response, as Xero documents it (empty when it conforms)."""
    path = ex.path
    if path.startswith(ACCOUNTING_PREFIX + "/"):
        return _operation_problems(ex, accounting(), path[len(ACCOUNTING_PREFIX):])
    if path.lower() == "/connections" or path.lower().startswith("/connections/"):
        return _operation_problems(ex, identity(), path)
    if path == "/connect/token":
        return _token_problems(ex, ex.label("connect/token"))
    if path == "/_sandbox/tokens" and ex.status == 200:
        return _minted_problems(ex)
    return []


def _operation_problems(ex: Exchange, doc: SpecDoc, path: str) -> list[str]:
    op = doc.find(ex.method, path)
    if op is None:
        if ex.status in (404, 405) or ex.status in UNDOCUMENTED:
            # Unknown resource/method; auth and traffic rules run before routing.
            return UNDOCUMENTED[ex.status](ex, ex.label()) if ex.status in UNDOCUMENTED else []
        return [f"{ex.label()}: the spec has no operation {ex.method} {path}"]
    label = ex.label(op.operation_id)
    found = _limit_header_problems(ex, doc, label)
    return found + _status_problems(ex, doc, op, label)


def _status_problems(ex: Exchange, doc: SpecDoc, op: Operation, label: str) -> list[str]:
    documented = op.responses.get(str(ex.status))
    if documented is not None:
        documented = _resolve(doc.raw, documented)  # e.g. components/responses/400Error
        return _documented_problems(ex, doc, op, documented, label)
    if ex.status == 400 and doc is accounting():
        return _error_body_problems(ex, doc, label)
    if ex.status in UNDOCUMENTED:
        return UNDOCUMENTED[ex.status](ex, label)
    return [f"{label}: status {ex.status} is neither in the spec nor a status Xero is known to send"]


# developer.xero.com/documentation/guides/oauth2/limits/: every tenant call's response carries
# the three counters (apps pace themselves on them); /connections carries only the app-wide one
# (github.com/XeroAPI/xero-ruby/issues/128).
TENANT_LIMIT_HEADERS = ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining")
COUNTED_STATUSES = (200, 204, 400, 404)


def _limit_header_problems(ex: Exchange, doc: SpecDoc, label: str) -> list[str]:
    if ex.status not in COUNTED_STATUSES:
        return []
    wanted = TENANT_LIMIT_HEADERS if doc is accounting() else TENANT_LIMIT_HEADERS[2:]
    bad = [name for name in wanted if not ex.header(name).isdigit()]
    return [f"{label}: {', '.join(bad)} missing or not a count"] if bad else []


def _documented_problems(ex: Exchange, doc: SpecDoc, op: Operation, documented: dict[str, Any],
                         label: str) -> list[str]:
    content = documented.get("content")
    if not content:
        return [] if not ex.body or ex.status == 404 else [f"{label}: expected no body, got {ex.body[:80]!r}"]
    if ex.content_type != "application/json":
        return [f"{label}: Content-Type {ex.content_type!r}, the spec documents application/json"]
    try:
        body = ex.json()
    except ValueError as exc:
        return [f"{label}: body is not JSON ({exc}): {ex.body[:120]!r}"]
    found: list[str] = []
    # Validation only: unmarshalling into objects costs ~10x more and checks nothing extra.
    for error in doc.openapi.iter_response_errors(
            _SpecRequest(ex, doc.base_path + _spec_path(op, ex)), _SpecResponse(ex)):
        found.extend(f"{label}: {msg}" for msg in _describe(error))
    schema = content["application/json"].get("schema", {})
    found.extend(f"{label}: {msg}" for msg in msdate_problems(doc.raw, schema, body))
    if ex.status == 200 and doc is accounting() and isinstance(body, dict):
        found.extend(f"{label}: {msg}" for msg in _envelope_problems(body))
    return found


def _spec_path(op: Operation, ex: Exchange) -> str:
    """The request path with the spec's casing (Xero matches paths case-insensitively)."""
    path = ex.path[len(ACCOUNTING_PREFIX):] if ex.path.startswith(ACCOUNTING_PREFIX) else ex.path
    parts, template = path.split("/"), op.template.split("/")
    return "/".join(t if not t.startswith("{") else p for p, t in zip(parts, template))


def _describe(error: Exception) -> Iterator[str]:
    """openapi-core wraps jsonschema errors; unwrap them into 'field: message' lines."""
    cause = error.__cause__ or error
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        for se in schema_errors:
            yield from _schema_error_lines(se)
    else:
        yield f"{type(error).__name__}: {cause}"


def _schema_error_lines(error: SchemaError) -> Iterator[str]:
    if error.context:  # oneOf/anyOf: the sub-errors say which field failed
        for sub in error.context:
            yield from _schema_error_lines(sub)
        return
    yield f"{field_path(error.absolute_path) or '<body>'}: {error.message}"


def field_path(parts: Iterable[Any]) -> str:
    """['Contacts', 0, 'Name'] -> 'Contacts[0].Name'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def msdate_problems(raw: dict[str, Any], schema: dict[str, Any], value: Any,
                    where: tuple[Any, ...] = ()) -> Iterator[str]:
    """Fields the spec marks as MS-JSON dates must be ``/Date(ms[+-hhmm])/``."""
    schema = _resolve(raw, schema)
    if isinstance(value, str) and (schema.get("x-is-msdate") or schema.get("x-is-msdate-time")):
        if not MSDATE.fullmatch(value):
            yield f"{field_path(where)}: {value!r} is not an MS-JSON date (/Date(ms+0000)/) as x-is-msdate requires"
    elif isinstance(value, dict):
        props = schema.get("properties", {})
        for key, sub in value.items():
            if key in props:
                yield from msdate_problems(raw, props[key], sub, (*where, key))
    elif isinstance(value, list) and "items" in schema:
        for i, sub in enumerate(value):
            yield from msdate_problems(raw, schema["items"], sub, (*where, i))


def _resolve(raw: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = raw
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _envelope_problems(body: dict[str, Any]) -> list[str]:
    """Every accounting 200 carries Id, Status, ProviderName, DateTimeUTC (the envelope of the
    spec's response examples in xero_accounting.yaml)."""
    missing = [k for k in ("Id", "Status", "ProviderName", "DateTimeUTC") if k not in body]
    return [f"envelope lacks {', '.join(missing)} (Xero sends Id, Status, ProviderName, DateTimeUTC)"] if missing else []


def _error_body_problems(ex: Exchange, doc: SpecDoc, label: str) -> list[str]:
    """A 400 the operation does not document (e.g. a GET) still has Xero's Error shape."""
    try:
        body = ex.json()
    except ValueError:
        return [f"{label}: 400 body is not JSON: {ex.body[:120]!r}"]
    found = [f"{label}: {line}" for e in doc.component_validator("Error").iter_errors(body)
             for line in _schema_error_lines(e)]
    if not found and not {"ErrorNumber", "Type", "Message"} <= set(body):
        found.append(f"{label}: 400 body lacks ErrorNumber/Type/Message: {body}")
    return found


# -- statuses the spec does not model (401/403/404/429/500/503) -----------------------------

def _problem_json(ex: Exchange, label: str, title: str, detail: re.Pattern[str]) -> list[str]:
    """``{"Type":null,"Title":..,"Status":..,"Detail":..,"Instance":<guid>,"Extensions":{}}``;
    Xero has also been seen sending the lower-case keys, so the check ignores key case."""
    if ex.content_type != "application/json":
        return [f"{label}: {ex.status} must be JSON problem details, got {ex.content_type!r}: {ex.body[:80]!r}"]
    try:
        body = {k.lower(): v for k, v in ex.json().items()}
    except (ValueError, AttributeError):
        return [f"{label}: {ex.status} body is not a JSON object: {ex.body[:120]!r}"]
    found = []
    if body.get("title") != title:
        found.append(f"{label}: Title is {body.get('title')!r}, Xero sends {title!r}")
    if body.get("status") != ex.status:
        found.append(f"{label}: Status is {body.get('status')!r}, expected {ex.status}")
    if not isinstance(body.get("detail"), str) or not detail.match(body["detail"]):
        found.append(f"{label}: Detail {body.get('detail')!r} does not match {detail.pattern!r}")
    if not isinstance(body.get("instance"), str) or not GUID.fullmatch(body["instance"]):
        found.append(f"{label}: Instance {body.get('instance')!r} is not a GUID")
    return found


def _unauthorized(ex: Exchange, label: str) -> list[str]:
    return _problem_json(ex, label, "Unauthorized",
                         re.compile(r"(TokenExpired: token expired at .+|AuthorizationUnsuccessful|"
                                    r"AuthenticationUnsuccessful)$"))


def _forbidden(ex: Exchange, label: str) -> list[str]:
    return _problem_json(ex, label, "Forbidden", re.compile(r"AuthenticationUnsuccessful$"))


def _rate_limited(ex: Exchange, label: str) -> list[str]:
    problem = ex.header("X-Rate-Limit-Problem")
    found = []
    if not problem:
        found.append(f"{label}: 429 without an X-Rate-Limit-Problem header")
    elif problem in ("minute", "day"):
        retry = ex.header("Retry-After")
        if not retry.isdigit():
            found.append(f"{label}: 429 ({problem}) needs Retry-After in whole seconds, got {retry!r}")
    elif problem != problem.lower():
        found.append(f"{label}: X-Rate-Limit-Problem {problem!r} (Xero's values are lower-case)")
    return found


def _offline(ex: Exchange, label: str) -> list[str]:
    if ex.content_type != "text/plain" or not ex.body.strip():
        return [f"{label}: 503 must be plain text ('The Organisation is offline'), got "
                f"{ex.content_type!r}: {ex.body[:80]!r}"]
    return []


def _not_found(ex: Exchange, label: str) -> list[str]:
    return []  # Xero's 404 body is not documented; the SDK reads only the status


def _server_error(ex: Exchange, label: str) -> list[str]:
    """500 "An unhandled error with the Xero API" and gateway errors: bodies undocumented."""
    return [] if ex.content_type in ("application/json", "text/plain", "text/html") else \
        [f"{label}: {ex.status} with unexpected Content-Type {ex.content_type!r}"]


def _too_large(ex: Exchange, label: str) -> list[str]:
    """Observed: {"Title":"RequestEntityTooLarge","Status":413,"Detail":"PayloadTooLarge",..}."""
    return _problem_json(ex, label, "RequestEntityTooLarge", re.compile(r"PayloadTooLarge$"))


UNDOCUMENTED = {401: _unauthorized, 403: _forbidden, 404: _not_found, 413: _too_large,
                429: _rate_limited,
                500: _server_error, 502: _server_error, 503: _offline, 504: _server_error}


# -- identity: the token endpoint and the minting helper -------------------------------------

def _token_problems(ex: Exchange, label: str) -> list[str]:
    if ex.content_type != "application/json":
        return [f"{label}: Content-Type {ex.content_type!r}, expected application/json"]
    try:
        body = ex.json()
    except ValueError:
        return [f"{label}: body is not JSON: {ex.body[:120]!r}"]
    if ex.status != 200:
        ok = ex.status in (400, 401) and isinstance(body, dict) and isinstance(body.get("error"), str)
        return [] if ok else [f"{label}: token errors are 400/401 {{\"error\": ...}}, got {body}"]
    return _access_token_problems(body, label)


def _access_token_problems(body: Any, label: str) -> list[str]:
    doc = identity()
    found = [f"{label}: {line}" for e in doc.component_validator("AccessToken").iter_errors(body)
             for line in _schema_error_lines(e)]
    if isinstance(body, dict):
        missing = [k for k in ("access_token", "expires_in", "token_type") if k not in body]
        if missing:
            found.append(f"{label}: token response lacks {', '.join(missing)}")
        if body.get("token_type") != "Bearer":
            found.append(f"{label}: token_type is {body.get('token_type')!r}, Xero sends 'Bearer'")
    return found


def _minted_problems(ex: Exchange) -> list[str]:
    """POST /_sandbox/tokens promises Xero's token response plus GET /connections' list."""
    label = ex.label("_sandbox/tokens")
    body = ex.json()
    token = {k: v for k, v in body.items() if k not in ("connections", "scope")}
    found = _access_token_problems(token, label)
    doc = identity()
    validator = doc.component_validator("Connection")
    for i, item in enumerate(body.get("connections", [])):
        found.extend(f"{label}: connections[{i}].{line}"
                     for e in validator.iter_errors(item) for line in _schema_error_lines(e))
    return found
