"""The published OpenAPI document describes errors the way the API sends them."""

from __future__ import annotations

from flask import request

from webapp import create_app
from webapp.models.enums import PassReason

PROBLEM = "application/problem+json"


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_validation_error_is_documented_as_problem_json(client):
    document = client.get("/api/openapi.json").get_json()
    wrong = [
        (path, method)
        for path, method, operation in _operations(document)
        if "422" in operation["responses"]
        and list(operation["responses"]["422"]["content"]) != [PROBLEM]
    ]
    assert wrong == []
    assert "ValidationErrorModel" not in document["components"]["schemas"]


def test_operations_without_input_do_not_claim_422(client):
    document = client.get("/api/openapi.json").get_json()
    assert "422" not in document["paths"]["/healthz"]["get"]["responses"]
    assert "422" not in document["paths"]["/api/v1/taxonomy"]["get"]["responses"]
    assert "422" in document["paths"]["/api/v1/ventures"]["post"]["responses"]


def _enum(schema, components):
    """The enum a property's schema lists, through `$ref`, `anyOf` (optional) and arrays."""
    if "$ref" in schema:
        return _enum(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "enum" in schema:
        return schema["enum"]
    if "items" in schema:
        return _enum(schema["items"], components)
    for option in schema.get("anyOf", []):
        found = _enum(option, components)
        if found:
            return found
    return None


def test_taxonomy_codes_and_pass_reasons_are_enums_read_from_the_taxonomy(client):
    document = client.get("/api/openapi.json").get_json()
    components = document["components"]["schemas"]
    taxonomy = client.get("/api/v1/taxonomy").get_json()
    codes = {kind: [item["code"] for item in items] for kind, items in taxonomy.items()}
    expected = {
        "VentureCreate": {
            "sectors": codes["sectors"],
            "stage": codes["stages"],
            "region": codes["regions"],
            "instruments": codes["instruments"],
            "institution": codes["institutions"],
        },
        "InvestorProfileUpdate": {
            "investor_type": codes["investor_types"],
            "excluded_sectors": codes["sectors"],
            "stages": codes["stages"],
            "regions": codes["regions"],
            "hq_region": codes["regions"],
            "institutions": codes["institutions"],
        },
        "FeedbackIn": {"reason": [r.value for r in PassReason]},
    }
    for model, fields in expected.items():
        properties = components[model]["properties"]
        for field, listed in fields.items():
            assert _enum(properties[field], components) == listed, (model, field)
    filters = {p["name"]: p for p in document["paths"]["/api/v1/ventures"]["get"]["parameters"]}
    assert _enum(filters["sector"]["schema"], components) == codes["sectors"]


def _app_reporting_client_address(settings):
    app = create_app({"TESTING": True}, settings=settings)
    app.add_url_rule("/_whoami", "whoami", lambda: request.remote_addr or "")
    return app


def test_forwarded_addresses_are_ignored_without_trusted_proxies(db, settings):
    app = _app_reporting_client_address(settings)
    try:
        response = app.test_client().get(
            "/_whoami",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        assert response.text == "10.0.0.2"
    finally:
        app.extensions["venturematch.engine"].dispose()


def test_one_trusted_proxy_gives_the_client_address(db, settings):
    app = _app_reporting_client_address(settings.model_copy(update={"trusted_proxies": 1}))
    try:
        response = app.test_client().get(
            "/_whoami",
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        assert response.text == "203.0.113.9"  # a client can't spoof past the one proxy we trust
    finally:
        app.extensions["venturematch.engine"].dispose()


def test_reasons_are_documented_with_their_facts(client):
    document = client.get("/api/openapi.json").get_json()
    reason = document["components"]["schemas"]["ReasonOut"]
    assert set(reason["properties"]) == {"code", "text", "effect", "facts"}
    assert reason["properties"]["facts"]["type"] == "object"
    assert "ticket_fit" in reason["description"]
