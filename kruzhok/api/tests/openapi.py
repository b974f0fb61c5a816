"""Checks a JSON value against a schema from our openapi.json (jsonschema is not installed).

Only the JSON Schema that ninja emits is understood: $ref, anyOf, type, enum, properties,
required, items, additionalProperties. An object may not carry a key its schema does not list,
so every field the API returns is documented.
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def problems(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> list[str]:
    """Every way `value` breaks `schema`, as «path: what»; empty when it conforms."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        if any(not problems(value, option, spec, where) for option in schema["anyOf"]):
            return []
        return [f"{where}: {value!r} matches none of {schema['anyOf']}"]
    found: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        # bool is an int in Python but not an integer in JSON.
        if not isinstance(value, _TYPES[kind]) or (isinstance(value, bool) and kind != "boolean"):
            return [f"{where}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{where}: missing {name}")
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                found += problems(item, properties[name], spec, f"{where}.{name}")
            elif isinstance(extra, dict):
                found += problems(item, extra, spec, f"{where}.{name}")
            else:
                found.append(f"{where}: undocumented key {name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += problems(item, schema["items"], spec, f"{where}[{i}]")
    return found


def operation_path(spec: dict[str, Any], path: str) -> str:
    """The schema's path for a real one: `/api/v1/activities/7` → `/api/v1/activities/{id}`."""
    if path in spec["paths"]:
        return path
    for template in spec["paths"]:
        if re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), path):
            return template
    return path


def response_schema(spec: dict[str, Any], path: str, status: int) -> dict[str, Any]:
    """The schema a GET on `path` documents for `status`; errors it does not list are `Error`."""
    path = operation_path(spec, path)
    responses = spec["paths"].get(path, {}).get("get", {}).get("responses", {})
    documented = responses.get(str(status))
    if documented is None:
        assert status >= 400, f"{path} does not document {status}"  # noqa: S101 (a test helper's check)
        return {"$ref": "#/components/schemas/Error"}
    return documented["content"]["application/json"]["schema"]
