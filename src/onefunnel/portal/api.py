"""The HubSpot endpoints the local portal answers: routing, parameter checks, and answer bodies.

Transport, authentication, budgets and faults live in server.py; this module turns one parsed
request into (status, JSON bytes) against a `PortalReader`, or raises `ApiError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote_plus, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from onefunnel.portal import object_types
from onefunnel.portal.reader import (
    PortalReader,
    build_records,
    canonical_type,
    history_names,
    property_names,
)
from onefunnel.portal.responses import (
    ApiError,
    decode_cursor,
    encode_cursor,
    not_found,
    now_iso,
    validation_error,
)
from onefunnel.portal.routes import DATE_VERSIONS, Route, RouteTable, expand
from onefunnel.portal.search import SearchLimits, compile_search

__all__ = ["ApiLimits", "PortalApi", "Request", "Route"]


@dataclass(frozen=True)
class ApiLimits:
    list_max: int = 100
    list_default: int = 10
    history_max: int = 50
    batch_read_max: int = 100
    associations_batch_max: int = 1_000
    association_page_size: int = 500
    owners_max: int = 500
    owners_default: int = 100
    campaigns_max: int = 100
    campaigns_default: int = 50
    object_associations_max: int = 500  # GET .../objects/{type}/{id}/associations/{toType}
    properties_batch_max: int = 100  # assumed like object batch reads; not stated in the reference
    search: SearchLimits = field(default_factory=SearchLimits)


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    body: bytes
    base_url: str
    params: dict[str, str]
    _query: list[tuple[str, str]] | None = None

    @property
    def query(self) -> list[tuple[str, str]]:
        if self._query is None:
            self._query = parse_query(self.raw_query)
        return self._query

    def first(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def names(self, name: str) -> list[str] | None:
        """A list parameter, repeated and/or comma-separated; None when absent."""
        found = None
        for key, value in self.query:
            if key == name:
                found = found or []
                found.extend(part.strip() for part in value.split(",") if part.strip())
        return found

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.first(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise validation_error(f"{name} must be true or false, got {value!r}", in_=name)

    def integer(self, name: str, default: int, maximum: int) -> int:
        value = self.first(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise validation_error(f"{name} must be an integer, got {value!r}", in_=name) from None
        if number < 1 or number > maximum:
            raise validation_error(
                f"{name} must be between 1 and {maximum}, got {number}", in_=name, code="INVALID_LIMIT"
            )
        return number

    def cursor(self, name: str = "after") -> int:
        value = self.first(name)
        return 0 if value is None or value == "" else decode_cursor(value, name)

    def json(self) -> object:
        if not self.body.strip():
            raise validation_error("Invalid input JSON: the request body is empty")
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise validation_error(
                f"Invalid input JSON on line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None

    def next_link(self, after: str) -> str:
        query = [(key, value) for key, value in self.query if key != "after"]
        query.append(("after", after))
        return f"{self.base_url}{self.path}?{urlencode(query)}"


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Query pairs like parse_qsl(keep_blank_values=True), faster on long property lists: an encoded
    comma (the usual escape in `properties=a,b,...`) is decoded without the general unquote."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%2C" in value or "%2c" in value:
            value = value.replace("%2C", ",").replace("%2c", ",")
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        pairs.append((name, value))
    return pairs


Handler = Callable[["PortalApi", PortalReader, Request], tuple[int, bytes]]


def _object_type(name: str) -> str:
    canonical = canonical_type(name)
    if canonical is None:
        raise validation_error(f"Unable to infer object type from: {name}")
    return canonical


def _object_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _dump(body: object) -> bytes:
    return orjson.dumps(body)


class PortalApi:
    def __init__(self, limits: ApiLimits | None = None, versions: tuple[str, ...] = DATE_VERSIONS) -> None:
        self.limits = limits or ApiLimits()
        self.table = RouteTable(expand(lambda name: getattr(PortalApi, name)), versions)
        self.routes = self.table.routes

    # --- routing (the table is routes.py) ---

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        """The route for a path (None if no route matches) and its path parameters."""
        return self.table.resolve(path)

    def handle(self, reader: PortalReader, route: Route | None, request: Request) -> tuple[int, bytes]:
        if route is None:
            raise not_found(f"No API endpoint at {request.method} {request.path}")
        handler = route.methods.get(request.method)
        if handler is None:
            allowed = ", ".join(sorted(route.methods))
            raise ApiError(
                405,
                f"HTTP method {request.method} is not supported by {route.template} on this read-only portal "
                f"(allowed: {allowed})",
                "VALIDATION_ERROR",
                headers={"Allow": allowed},
            )
        reader.begin()
        try:
            return handler(self, reader, request)
        finally:
            reader.end()

    # --- CRM objects ---

    def list_objects(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        history_requested = request.names("propertiesWithHistory")
        limit = request.integer("limit", self.limits.list_default, self.limits.list_max)
        if history_requested is not None and limit > self.limits.history_max:
            raise validation_error(
                f"limit must be at most {self.limits.history_max} when propertiesWithHistory is requested, "
                f"got {limit}",
                in_="limit",
                code="INVALID_LIMIT",
            )
        after = request.cursor()
        archived = request.flag("archived")
        code = object_types.type_code(object_type)
        rows = reader.list_objects(code, archived, after, limit + 1) if code is not None else []
        page, more = rows[:limit], len(rows) > limit
        results = self._records(reader, object_type, page, request.names("properties"), history_requested)
        self._attach_associations(reader, object_type, results, request.names("associations"))
        body: dict = {"results": results}
        if more:
            token = encode_cursor(rows[limit][0])
            body["paging"] = {"next": {"after": token, "link": request.next_link(token)}}
        return 200, _dump(body)

    def get_object(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        raw_id = request.params["object_id"]
        archived = request.flag("archived")
        code = object_types.type_code(object_type)
        id_property = request.first("idProperty")
        row = None
        if code is None:
            pass
        elif id_property and id_property != "hs_object_id":
            found = reader.find_by_property(code, id_property, [raw_id], archived)
            row = found[0] if found else None
        else:
            object_id = _object_id(raw_id)
            row = reader.resolve(object_id, code) if object_id is not None else None
            if row is not None and bool(row[3]) != archived:
                row = None
        if row is None:
            raise not_found(
                f"Object not found. objectId are usually numeric. ({object_type} {raw_id})",
                context={"id": [raw_id]},
            )
        results = self._records(
            reader, object_type, [row], request.names("properties"), request.names("propertiesWithHistory")
        )
        self._attach_associations(reader, object_type, results, request.names("associations"))
        return 200, _dump(results[0])

    def batch_read(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        started = now_iso()
        body, inputs = _batch_body(
            request, self.limits.batch_read_max, 'Invalid input JSON: expected {"inputs": [{"id": ...}], ...}'
        )
        keys = []
        for item in inputs:
            key = item.get("id") if isinstance(item, dict) else None
            if key is None or isinstance(key, (dict, list, bool)):
                raise validation_error('each input must be {"id": "..."}', in_="inputs")
            keys.append(str(key))
        archived = request.flag("archived")
        code = object_types.type_code(object_type)
        id_property = body.get("idProperty")
        rows: list[tuple] = []
        missing: list[str] = []
        if code is None:
            missing = keys
        elif id_property and id_property != "hs_object_id":
            found = reader.find_by_property(code, str(id_property), keys, archived)
            rows = found
            present = {str(orjson.loads(row[5]).get(id_property) or "").lower() for row in found}
            missing = [key for key in keys if key.lower() not in present]
        else:
            seen: set[int] = set()
            for key in keys:
                object_id = _object_id(key)
                row = reader.resolve(object_id, code) if object_id is not None else None
                if row is None or bool(row[3]) != archived:
                    missing.append(key)
                elif row[0] not in seen:
                    seen.add(row[0])
                    rows.append(row)
        results = self._records(
            reader,
            object_type,
            rows,
            _name_list(body.get("properties")),
            _name_list(body.get("propertiesWithHistory")),
        )
        answer: dict = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": now_iso(),
        }
        if not missing:
            return 200, _dump(answer)
        singular = object_types.singular(object_type).upper()
        answer["numErrors"] = 1
        answer["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.objects.OBJECT_NOT_FOUND",
                "message": f"Could not get some {singular} objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                "context": {"ids": list(dict.fromkeys(missing))},
                "errors": [],
                "links": {},
            }
        ]
        return 207, _dump(answer)

    def search(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        body = request.json()
        definitions = reader.definitions(object_type)
        compiled = compile_search(body, object_type, definitions.types, self.limits.search)
        code = object_types.type_code(object_type)
        total, rows = reader.search(code, compiled) if code is not None else (0, [])
        names = property_names(object_type, compiled.properties, definitions)
        answer: dict = {"total": total, "results": build_records(rows, names)}
        next_offset = compiled.offset + compiled.limit
        if compiled.limit and next_offset < total:
            answer["paging"] = {"next": {"after": str(next_offset)}}
        return 200, _dump(answer)

    def _records(
        self,
        reader: PortalReader,
        object_type: str,
        rows: list[tuple],
        requested: list[str] | None,
        history_requested: list[str] | None,
    ) -> list[dict]:
        definitions = reader.definitions(object_type)
        names = property_names(object_type, requested, definitions)
        history_props = history_names(history_requested, definitions)
        history = reader.history([row[0] for row in rows], history_props) if history_props else None
        return build_records(
            rows, names, history=history, history_props=history_props, calculated=definitions.calculated
        )

    def _attach_associations(
        self, reader: PortalReader, object_type: str, records: list[dict], requested: list[str] | None
    ) -> None:
        if not requested or not records:
            return
        targets = list(dict.fromkeys(t for t in (canonical_type(name) for name in requested) if t))
        ids = [int(record["id"]) for record in records]
        from_code = object_types.type_code(object_type)
        for target in targets:
            to_code = object_types.type_code(target)
            if from_code is None or to_code is None:
                continue
            found = reader.associations(from_code, to_code, ids)
            label = f"{object_types.singular(object_type)}_to_{object_types.singular(target)}"
            for record, object_id in zip(records, ids, strict=True):
                linked = found.get(object_id)
                if linked:
                    record.setdefault("associations", {})[target] = {
                        "results": [{"id": str(to_id), "type": label} for to_id, _ in linked]
                    }

    # --- associations v4 ---

    def associations_batch_read(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        from_type = _object_type(request.params["from_type"])
        to_type = _object_type(request.params["to_type"])
        started = now_iso()
        expected = 'Invalid input JSON: expected {"inputs": [{"id": ...}]}'
        _, inputs = _batch_body(request, self.limits.associations_batch_max, expected)
        default_type, primary_type = object_types.ASSOCIATION_TYPE_IDS.get((from_type, to_type), (None, None))
        from_code, to_code = object_types.type_code(from_type), object_types.type_code(to_type)
        page_size = self.limits.association_page_size
        results, missing = [], []
        for item in inputs:
            key = item.get("id") if isinstance(item, dict) else None
            if key is None or isinstance(key, (dict, list, bool)):
                raise validation_error('each input must be {"id": "..."}', in_="inputs")
            key = str(key)
            after_raw = item.get("after")
            after = decode_cursor(str(after_raw)) if after_raw not in (None, "") else 0
            object_id = _object_id(key)
            rows = (
                reader.association_page(from_code, to_code, object_id, after, page_size + 1)
                if object_id and from_code is not None and to_code is not None
                else []
            )
            if not rows and not after:
                missing.append(key)
                continue
            page = rows[:page_size]
            entry: dict = {
                "from": {"id": key},
                "to": [
                    {
                        "toObjectId": to_id,
                        "associationTypes": _association_types(primary, default_type, primary_type),
                    }
                    for to_id, primary in page
                ],
            }
            if len(rows) > page_size:
                entry["paging"] = {"next": {"after": encode_cursor(page[-1][0]), "link": None}}
            results.append(entry)
        answer: dict = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": now_iso(),
        }
        if not missing:
            return 200, _dump(answer)
        answer["numErrors"] = len(missing)
        answer["errors"] = [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": f"No {object_types.singular(to_type)} is associated with "
                f"{object_types.singular(from_type)} {key}.",
                "context": {"fromObjectId": [key]},
                "errors": [],
                "links": {},
            }
            for key in missing
        ]
        return 207, _dump(answer)

    # --- properties ---

    def list_properties(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        definitions = reader.definitions(_object_type(request.params["object_type"]))
        archived = request.flag("archived")
        return 200, _dump({"results": definitions.archived if archived else definitions.active})

    def get_property(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        name = request.params["name"]
        found = reader.definitions(object_type).by_name.get(name)
        if found is None or found[1] != request.flag("archived"):
            raise not_found(f"Unable to find property {name} on object type {object_type}", {"name": [name]})
        return 200, _dump(found[0])

    def list_groups(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        definitions = reader.definitions(_object_type(request.params["object_type"]))
        return 200, _dump({"results": definitions.groups})

    def get_group(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        name = request.params["group_name"]
        for group in reader.definitions(object_type).groups:
            if group["name"] == name:
                return 200, _dump(group)
        raise not_found(
            f"Unable to find property group {name} on object type {object_type}", {"name": [name]}
        )

    def batch_read_properties(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        started = now_iso()
        expected = 'Invalid input JSON: expected {"inputs": [{"name": ...}]}'
        body, inputs = _batch_body(request, self.limits.properties_batch_max, expected)
        archived = body.get("archived") is True
        by_name = reader.definitions(object_type).by_name
        results, missing = [], []
        for item in inputs:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name:
                raise validation_error('each input must be {"name": "..."}', in_="inputs")
            found = by_name.get(name)
            if found is None or found[1] != archived:
                missing.append(name)
            else:
                results.append(found[0])
        answer: dict = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": now_iso(),
        }
        if not missing:
            return 200, _dump(answer)
        answer["numErrors"] = 1
        answer["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"Unable to find properties on object type {object_type}",
                "context": {"name": list(dict.fromkeys(missing))},
                "errors": [],
                "links": {},
            }
        ]
        return 207, _dump(answer)

    # --- associations of one record (v4 shape) ---

    def object_associations(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        from_type = _object_type(request.params["object_type"])
        to_type = _object_type(request.params["to_type"])
        limit = request.integer(
            "limit", self.limits.object_associations_max, self.limits.object_associations_max
        )
        after = request.cursor()
        object_id = _object_id(request.params["object_id"])
        from_code, to_code = object_types.type_code(from_type), object_types.type_code(to_type)
        rows = []
        if object_id is not None and from_code is not None and to_code is not None:
            rows = reader.association_page(from_code, to_code, object_id, after, limit + 1)
        default_type, primary_type = object_types.ASSOCIATION_TYPE_IDS.get((from_type, to_type), (None, None))
        page = rows[:limit]
        body: dict = {
            "results": [
                {
                    "toObjectId": to_id,
                    "associationTypes": _association_types(primary, default_type, primary_type),
                }
                for to_id, primary in page
            ]
        }
        if len(rows) > limit:
            token = encode_cursor(page[-1][0])
            body["paging"] = {"next": {"after": token, "link": request.next_link(token)}}
        return 200, _dump(body)

    # --- owners ---

    def list_owners(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        limit = request.integer("limit", self.limits.owners_default, self.limits.owners_max)
        rows = reader.owners(request.flag("archived"), request.cursor(), limit + 1, request.first("email"))
        body: dict = {"results": [orjson.Fragment(_bytes(raw)) for _, raw in rows[:limit]]}
        if len(rows) > limit:
            token = encode_cursor(rows[limit][0])
            body["paging"] = {"next": {"after": token, "link": request.next_link(token)}}
        return 200, _dump(body)

    def get_owner(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        key = request.params["owner_id"]
        id_property = request.first("idProperty") or "id"
        if id_property not in ("id", "userId"):
            raise validation_error(f"idProperty must be id or userId, got {id_property!r}", in_="idProperty")
        raw = reader.owner(key, id_property, request.flag("archived"))
        if raw is None:
            raise not_found(f"Owner {key} not found", {"id": [key]})
        return 200, raw

    # --- pipelines ---

    def list_pipelines(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        object_type = _object_type(request.params["object_type"])
        return 200, _dump({"results": [orjson.Fragment(raw) for raw in _pipelines(reader, object_type)]})

    def _pipeline(self, reader: PortalReader, request: Request) -> tuple[bytes, str]:
        object_type = _object_type(request.params["object_type"])
        pipeline_id = request.params["pipeline_id"]
        raw = reader.pipeline(object_type, pipeline_id)
        if raw is None:
            raw = next(
                (body for body in _pipelines(reader, object_type) if orjson.loads(body)["id"] == pipeline_id),
                None,
            )
        if raw is None:
            raise not_found(f"Unable to find pipeline {pipeline_id} for {object_type}", {"id": [pipeline_id]})
        return raw, pipeline_id

    def get_pipeline(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        return 200, self._pipeline(reader, request)[0]

    def list_stages(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        raw, _ = self._pipeline(reader, request)
        return 200, _dump({"results": orjson.loads(raw).get("stages") or []})

    def get_stage(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        raw, pipeline_id = self._pipeline(reader, request)
        stage_id = request.params["stage_id"]
        for stage in orjson.loads(raw).get("stages") or []:
            if str(stage.get("id")) == stage_id:
                return 200, _dump(stage)
        raise not_found(f"Unable to find stage {stage_id} in pipeline {pipeline_id}", {"id": [stage_id]})

    # --- marketing campaigns ---

    def list_campaigns(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        limit = request.integer("limit", self.limits.campaigns_default, self.limits.campaigns_max)
        rows = reader.campaigns(request.cursor(), limit + 1)
        requested = request.names("properties")
        body: dict = {
            "total": reader.campaign_count(),
            "results": [_campaign(raw, requested) for _, raw in rows[:limit]],
        }
        if len(rows) > limit:
            token = encode_cursor(rows[limit][0])
            body["paging"] = {"next": {"after": token, "link": request.next_link(token)}}
        return 200, _dump(body)

    def get_campaign(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        campaign_id = request.params["campaign_id"]
        raw = reader.campaign(campaign_id)
        if raw is None:
            raise not_found(f"Campaign {campaign_id} not found", {"campaignGuid": [campaign_id]})
        return 200, _dump(_campaign(raw, request.names("properties")))

    # --- account ---

    def account_details(self, reader: PortalReader, request: Request) -> tuple[int, bytes]:
        zone = reader.meta("time_zone", "UTC") or "UTC"
        location = reader.meta("data_hosting_location", DEFAULT_DATA_HOSTING) or DEFAULT_DATA_HOSTING
        try:
            offset = datetime.now(ZoneInfo(zone)).utcoffset() or timedelta(0)
        except (ZoneInfoNotFoundError, ValueError):
            offset = timedelta(0)
        offset_ms = int(offset.total_seconds() * 1000)
        sign, minutes = ("-" if offset_ms < 0 else "+"), abs(offset_ms) // 60_000
        return 200, _dump(
            {
                "portalId": int(reader.meta("portal_id", "0") or 0),
                "accountType": "STANDARD",
                "timeZone": zone,
                "companyCurrency": reader.meta("home_currency", "USD"),
                "additionalCurrencies": [],
                "utcOffset": f"{sign}{minutes // 60:02d}:{minutes % 60:02d}",
                "utcOffsetMilliseconds": offset_ms,
                "uiDomain": ui_domain(location),
                "dataHostingLocation": location,
            }
        )


# HubSpot's data centres and the UI host of each (record links must use the portal's own):
# na1 = app.hubspot.com, every other one app-<location>.hubspot.com.
DATA_HOSTING_LOCATIONS = ("na1", "na2", "eu1", "ap1")
DEFAULT_DATA_HOSTING = "na1"


def ui_domain(location: str) -> str:
    return "app.hubspot.com" if location == "na1" else f"app-{location}.hubspot.com"


def _pipelines(reader: PortalReader, object_type: str) -> list[bytes]:
    """Stored pipelines, else HubSpot's built-in ones for the type (the support pipeline of tickets)."""
    stored = reader.pipelines(object_type)
    if stored:
        return stored
    created_at = reader.meta("account_created") or "2020-01-01T00:00:00.000Z"
    return [orjson.dumps(body) for body in object_types.default_pipelines(object_type, created_at)]


def _batch_body(request: Request, limit: int, expected: str) -> tuple[dict, list]:
    """A batch endpoint's JSON body and its `inputs`, refused as HubSpot does when malformed or too long."""
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise validation_error(expected, in_="inputs")
    inputs = body["inputs"]
    if len(inputs) > limit:
        message = f"Batch input is limited to {limit} inputs, got {len(inputs)}"
        raise validation_error(message, in_="inputs", code="TOO_MANY_INPUTS")
    return body, inputs


def _bytes(raw: bytes | str) -> bytes:
    return raw.encode() if isinstance(raw, str) else bytes(raw)


def _name_list(raw: object) -> list[str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        raise validation_error("properties must be a list of property names", in_="properties")
    return [str(name).strip() for name in raw if str(name).strip()]


def _association_types(primary: int, default_type: int | None, primary_type: int | None) -> list[dict]:
    types = []
    if default_type is not None:
        types.append({"category": "HUBSPOT_DEFINED", "typeId": default_type, "label": None})
    if primary and primary_type is not None:
        types.append({"category": "HUBSPOT_DEFINED", "typeId": primary_type, "label": "Primary"})
    return types


def _campaign(raw: bytes | str, requested: list[str] | None) -> object:
    """A campaign body; with `properties` requested, its properties narrowed to those (null when unset)."""
    if not requested:
        return orjson.Fragment(_bytes(raw))
    body = orjson.loads(raw)
    stored = body.get("properties") or {}
    body["properties"] = {name: stored.get(name) for name in dict.fromkeys(requested)}
    return body
