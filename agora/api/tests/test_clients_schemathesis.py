"""Schemathesis (PyPI) against the API's own OpenAPI document, `/api/openapi.json`: for every operation, a
bounded number of generated requests with a bearer token; no response is a server error, and every response
with a documented status matches its documented schema and content type."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from agora.accounts.tests.factories import UserFactory

# Small, so that the whole API is covered in well under two minutes on the CI machine.
MAX_EXAMPLES = 3
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def test_transaction_kept() -> Iterator[None]:
    """Requests go straight to the WSGI application, inside the test's transaction: as Django's test client
    does, keep its request signals from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(token_for: Callable[..., str]) -> dict[str, str]:
    """A token of a registered app (agora/api/tests/conftest.py) for an account, with every scope."""
    UserFactory(username="other")
    return {"Authorization": f"Bearer {token_for(UserFactory(username='fuzzer'), 'read write follow push')}"}


def openapi_document() -> dict[str, Any]:
    """The document `/api/openapi.json` serves, made the same way (no request: no database at import)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document: dict[str, Any] = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    return document


schema = schemathesis.openapi.from_dict(openapi_document())
# Requests as the document describes them (ids matching their pattern, documented parameters): a client that
# follows the document must get documented answers. Requests outside it are the API's own tests' business.
schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES)
application = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: Any, bearer: dict[str, str], test_transaction_kept: None
) -> None:
    case.call_and_validate(app=application, headers=bearer, checks=CHECKS)


def test_the_document_is_the_one_served(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == openapi_document()["paths"].keys()
