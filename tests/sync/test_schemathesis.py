"""Schemathesis against the running server's OpenAPI schema: whatever a client sends, the
answer is never a 5xx. Requests carry a real device token and the version headers, so the
generated bodies get past sign-in into validation, permissions and the merge.

(Schemathesis' lazy pytest fixture does not work with pytest 9, so each operation's
strategy is driven by Hypothesis directly.)
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from requests.structures import CaseInsensitiveDict

from crm_tui.sync.client import load_login
from crm_tui.sync.protocol import version_headers

EXAMPLES = int(os.environ.get("CRM_SCHEMATHESIS_EXAMPLES", "15"))


def test_no_request_makes_the_server_fail(server, laptop) -> None:
    login = load_login(laptop().path)
    signed_in = version_headers() | {"Authorization": f"Bearer {login.token}"}
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Renewing the device revokes this token: that operation goes last.
    operations.sort(key=lambda op: op.path == "/auth/device/renew")
    assert {op.path for op in operations} >= {"/sync/push", "/sync/pull", "/auth/enrol"}
    seen: dict[str, set[int]] = {}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case) -> None:  # noqa: ANN001
            # Generated headers (a bad version, say) win; the rest come from the rep.
            headers = CaseInsensitiveDict(signed_in)
            headers.update(case.headers or {})
            response = case.call(headers=dict(headers), timeout=30)
            seen.setdefault(f"{case.method} {case.operation.path}", set()).add(response.status_code)
            assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"

        call()
    # The generated requests reached past sign-in: some were answered, some refused.
    assert 200 in seen["POST /sync/push"] and any(s >= 400 for s in seen["POST /sync/push"])
