"""The OpenAPI document of `/api/v1`: `api/openapi.json` is a valid OpenAPI 3.1 document
(openapi-spec-validator, from PyPI). That the responder serves exactly this file through nginx is
checked in test_api_schemathesis.py, on the stack schemathesis runs against."""

from __future__ import annotations

import json

from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from conftest import ROOT

DOCUMENT = ROOT / "api" / "openapi.json"


def test_openapi_document_is_valid_openapi_3_1():
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1."), "the document declares OpenAPI 3.1"
    validate(document, cls=OpenAPIV31SpecValidator)  # raises with the first error
    errors = [e.message for e in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == [], errors

