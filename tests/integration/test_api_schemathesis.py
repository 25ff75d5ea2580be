"""schemathesis against the generated document with an all-scope token: no server error, no
answer the document does not describe, no undocumented status code; valid data is accepted.

In negative mode (data that breaks the document) every check runs but the one that invalid data
is refused: it reports a one-item array in a query string (`?active=true` for `[true]`), which
reads as the item itself; the API's own tests check its 422 answers.

The cases are drawn from schemathesis' strategies and run by hypothesis here: its pytest
plugin reads pytest internals that pytest 9.2 no longer has.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy.orm import Session

from gateway.services import demo_orders
from tests.api import ALL_SCOPES, bearer, make_token

EXAMPLES = 40  # per operation and mode: the suite's time is shared
# Derandomized, so a run of the suite is repeatable; GATEWAY_FUZZ_PROFILE=fuzz-deep (as for the
# form fuzzing in tests/security) draws new cases on every run.
DERANDOMIZE = os.environ.get("GATEWAY_FUZZ_PROFILE") != "fuzz-deep"
# Nothing sent to these can break their schema (a path parameter that is any text)
NO_NEGATIVE_DATA = {"GET /api/v1/orders/{number}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_document(app: Flask, db_session: Session, mode: GenerationMode) -> None:
    demo_orders.seed_orders(db_session)
    app.config.update(GATEWAY_API_RATE_LIMIT=100_000)
    token = make_token(db_session, *ALL_SCOPES, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert all(isinstance(result, Ok) for result in schema.get_all_operations())
    assert len(operations) >= 7

    excluded = [negative_data_rejection] if mode == GenerationMode.NEGATIVE else []
    unsatisfiable = set()
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_its_document(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=bearer(token), excluded_checks=excluded)

        try:
            keeps_its_document()
        except Unsatisfiable:
            unsatisfiable.add(operation.label)
    assert unsatisfiable <= (NO_NEGATIVE_DATA if mode == GenerationMode.NEGATIVE else set())
