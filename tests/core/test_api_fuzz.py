"""The standing adversarial suite: schemathesis over the whole OpenAPI document, as every demo
role and anonymous, on both stores. No answer may be a 5xx, and every answer must be one the
document describes (status code, content type, body schema).

Bounded for CI: ONEGRID_FUZZ_EXAMPLES examples per operation and generation mode (default 2);
`make fuzz` runs many more. Writes are rolled back with the test's session.
"""

import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# schemathesis hands every request its cookies and raw content, which Starlette's client warns of.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
EXAMPLES = int(os.environ.get("ONEGRID_FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(client, operation, mode: GenerationMode, roles: dict[str, dict[str, str]]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=EXAMPLES <= 10,  # CI runs the same examples every time
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        # Each example as every role: generating is the dear part, asking is cheap.
        for role, headers in roles.items():
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            response = client.request(**kwargs)
            _read(response.request)
            try:
                case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))
            except BaseException as error:
                error.add_note(f"as {role}")
                raise

    run()


def _read(request: httpx.Request) -> None:
    """Reads a multipart body for the checks to see; one the fuzzer made of no file is none."""
    try:
        request.read()
    except (AttributeError, TypeError):
        request._content = b""


def _last_logout(operation) -> bool:
    return operation.path.endswith("/auth/logout")  # it ends the role's token


def test_no_answer_is_a_server_error_or_outside_the_document(client, tokens):
    schema = schemathesis.openapi.from_dict(client.app.openapi())
    roles = {"anonymous": {}} | {
        username: {"Authorization": f"Bearer {token}"} for username, token in tokens.items()
    }
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=_last_logout)
    assert len(operations) > 40
    only = os.environ.get("ONEGRID_FUZZ_ONLY")  # a part of an operation's label, to look closer
    operations = [o for o in operations if not only or only in o.label]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(client, operation, mode, roles)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing of it can be made invalid
            except BaseException as error:
                error.add_note(f"{operation.label}, {mode.value}")
                raise
