"""Schema-based property test: every operation of the OpenAPI description, called with data
generated from its own schema (schemathesis + hypothesis, through the WSGI app, authenticated by
an API key), never answers 5xx. Bounded examples per operation: the whole run stays under a minute.
"""
import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from app.api import keys
from app.roles import ENTRY
from tests.conftest import make_user
from tests.factories import household, resident

EXAMPLES = int(__import__("os").environ.get("API_EXAMPLES", 12))  # per operation and account


def _key(app, db, wide_tree, role):
    org = wide_tree["120110001001"] if role == ENTRY else None
    account = make_user(app, f"prop_{len(role)}", org, role)
    return keys.issue(db.session.merge(account), "property test", "write")[1]


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 21  # 7 per resource (list, get, info, related, post, put, delete)
    return operations


@pytest.mark.parametrize("role", ["Admin", ENTRY])
def test_no_operation_answers_a_server_error(app, db, wide_tree, role):
    home = household(db, wide_tree["120110001001"], no="S1")
    resident(db, home)
    household(db, wide_tree["120111001001"], no="S2")
    headers = {"X-API-Key": _key(app, db, wide_tree, role)}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    failures = []
    for operation in _operations(schema):
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            # each call in a fresh context, as in a server (nothing left on g by the last one)
            response = contextvars.Context().run(case.call, headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.body, case.query,
                                 response.status_code, response.text[:200]))

        check()
    assert not failures, failures[:5]
