"""schemathesis against the JSON API's own OpenAPI schema (/api/openapi.json), in process over the hostile
ledger: generated and boundary parameters for every operation; no answer may be a server error, every answer
must match the schema's status codes and content types, and nothing is written."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings

from tally.web.app import create_app
from security_ledger import ledger_digest
from trust_log import scaled


@pytest.fixture(scope="session")
def api_schema(hostile_db: str) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(hostile_db))


def test_every_api_operation_keeps_its_schema(api_schema: Any, hostile_db: str, probes: Counter[str]) -> None:
    # schemathesis's own pytest plugin does not run under pytest 9 yet ("'Function' object has no attribute
    # '_nodeid'"), so each operation's strategy is driven by hypothesis directly
    before = ledger_digest(hostile_db)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        @settings(max_examples=scaled(60))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate()
            probes["schemathesis requests"] += 1

        check()
    assert ledger_digest(hostile_db) == before
