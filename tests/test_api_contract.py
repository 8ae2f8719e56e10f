"""API v1's published contract: the OpenAPI document, the docs page and error shapes."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_too]

OPERATIONS = {
    "search_products",
    "get_product",
    "get_availability",
    "create_quote",
    "create_order",
    "get_order",
    "start_payment",
    "cancel_order",
    "list_vouchers",
    "redeem_voucher",
}
PROBLEM = "#/components/schemas/Problem"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_openapi_document_names_every_public_operation(spec):
    ids = {operation.get("operationId") for _, _, operation in operations(spec)}

    assert spec["openapi"].startswith("3.")
    assert OPERATIONS - ids == set()


def test_operation_ids_are_unique(spec):
    ids = [operation.get("operationId") for _, _, operation in operations(spec)]

    assert len(ids) == len(set(ids))


def error_responses(spec: dict) -> dict:
    return {
        (operation["operationId"], status): response
        for _, _, operation in operations(spec)
        for status, response in operation["responses"].items()
        if int(status) >= 400
    }


def test_every_documented_error_response_is_a_problem(spec):
    errors = error_responses(spec)

    not_problems = {
        where: response
        for where, response in errors.items()
        if not response.get("content")
        or any(body["schema"].get("$ref") != PROBLEM for body in response["content"].values())
    }

    assert errors, "no error responses are documented at all"
    assert not_problems == {}


def test_error_responses_are_documented_with_the_media_type_they_are_sent_with(spec):
    media_types = {
        where: sorted(response.get("content", {}))
        for where, response in error_responses(spec).items()
    }

    assert {where: m for where, m in media_types.items() if m != ["application/problem+json"]} == {}


def test_the_problem_schema_requires_its_five_fields(spec):
    schema = spec["components"]["schemas"]["Problem"]

    assert set(schema["required"]) == {"type", "title", "status", "code", "detail"}


# What each catalogue read can refuse with (see tests/test_bad_input.py).
CATALOGUE_REFUSALS = {
    "search_products": {"404", "422"},
    "get_product": {"404"},
    "get_availability": {"404", "422"},
}


def test_the_catalogue_reads_document_the_problems_they_return(spec):
    documented = {
        operation["operationId"]: set(operation["responses"])
        for _, _, operation in operations(spec)
        if operation["operationId"] in CATALOGUE_REFUSALS
    }

    missing = {
        name: sorted(wanted - documented[name])
        for name, wanted in CATALOGUE_REFUSALS.items()
        if wanted - documented[name]
    }
    assert missing == {}


def asset_sources(html: str) -> list[str]:
    return re.findall(
        r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html
    )


def test_the_docs_page_loads_every_asset_from_this_site(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    sources = asset_sources(html)
    assert sources, "the docs page references no script or stylesheet"
    off_site = [s for s in sources if urlparse(s).scheme or s.startswith("//")]
    assert off_site == []
    assert "cdn" not in html.lower()


def test_the_docs_page_assets_are_served(client):
    html = client.get("/api/v1/docs").content.decode()

    missing = {s: client.get(s).status_code for s in asset_sources(html)}

    assert {source: status for source, status in missing.items() if status != 200} == {}
