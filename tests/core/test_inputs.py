"""The input policy at the edge, on a small app of its own: what any JSON or text gets back."""

import contextlib
import json
import math
import unicodedata

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onegrid.core import problems
from onegrid.core.inputs import MAX_BODY, InputPolicy, clean_json


def _app() -> FastAPI:
    app = FastAPI()
    answer = problems.install(app)
    app.add_middleware(InputPolicy, answer=answer)

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {
            "body": json.loads(await request.body() or b"null"),
            "query": dict(request.query_params),
        }

    @app.get("/boom")
    def boom() -> dict:
        raise RuntimeError("secret detail of the failure")

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(_app(), raise_server_exceptions=False) as client:
        yield client


def _post(client, text: str, query: str = ""):
    headers = {"content-type": "application/json"}
    return client.post(
        "/echo" + query, content=text.encode("utf-8", "surrogatepass"), headers=headers
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"lon": NaN}',
        '{"lon": Infinity}',
        '{"lon": -Infinity}',
        '{"lon": 1e400}',
        '{"description": "\\ud800"}',
        '{"description": "a\\u0000b"}',
        '{"description": "bell\\u0007"}',
        '{"id": 9223372036854775808}',
        '{"id": -9223372036854775809}',
        "[" * 40 + "]" * 40,
        '{"a": 1',
    ],
)
def test_json_the_policy_refuses_is_a_422_in_the_one_format(client, text):
    answer = _post(client, text, "?lang=en")
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["kind"] == "invalid" and error["message"]


def test_a_body_over_the_cap_is_refused_before_it_is_read_whole(client):
    answer = _post(client, json.dumps({"x": "a" * (MAX_BODY + 1)}))
    assert answer.status_code == 413 and answer.json()["error"]["kind"] == "too_large"


def test_text_is_normalised_and_its_allowed_controls_kept(client):
    decomposed = "e\u0301\ttab\nline\rcr"
    answer = _post(client, json.dumps({"t": decomposed}), "?q=" + "e%CC%81")
    assert answer.status_code == 200
    assert answer.json() == {"body": {"t": "\u00e9\ttab\nline\rcr"}, "query": {"q": "\u00e9"}}


@pytest.mark.parametrize(
    "query", ["?q=%00", "?q=%ED%A0%80", "?q=%FF", "?id=9223372036854775808", "?q=%1B"]
)
def test_a_query_string_the_policy_refuses_is_a_422(client, query):
    answer = _post(client, "{}", query)
    assert answer.status_code == 422 and answer.json()["error"]["kind"] == "invalid"


def test_a_path_with_an_integer_beyond_64_bits_is_not_found(client):
    answer = client.get("/cases/99999999999999999999999")
    assert answer.status_code == 404 and answer.json()["error"]["kind"] == "not_found"


def test_unknown_routes_and_methods_answer_in_the_one_format(client):
    missing = client.get("/nowhere?lang=en")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"kind": "not_found", "message": "no such resource", "detail": {}}
    }
    wrong = client.get("/echo")
    assert wrong.status_code == 405 and wrong.json()["error"]["kind"] == "method_not_allowed"
    assert wrong.headers["allow"] == "POST"


def test_an_unexpected_failure_is_a_generic_500_in_the_one_format(client, caplog):
    answer = client.get("/boom?lang=en")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {
            "kind": "internal",
            "message": "internal error, logged: try again later",
            "detail": {},
        }
    }
    assert "secret detail" not in answer.text
    assert "secret detail of the failure" in caplog.text  # the traceback is logged


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_parsed_or_refused_never_crashes(text):
    with contextlib.suppress(problems.DomainError):
        clean_json(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_what_the_policy_accepts_comes_back_the_same_in_nfc(value):
    text = json.dumps(value, ensure_ascii=True)
    try:
        cleaned = clean_json(text.encode("ascii"))
    except problems.DomainError:
        return
    assert json.dumps(cleaned, sort_keys=True) == json.dumps(_nfc(value), sort_keys=True)
    # No float that JSON cannot carry (a string "NaN" or a key "Infinity" is fine): strict
    # serialisation raises on NaN and ±Infinity.
    json.dumps(cleaned, allow_nan=False)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_JSON, st.text(max_size=20))
def test_any_json_or_query_gets_a_success_or_a_4xx_never_a_5xx(client, value, query):
    body = json.dumps(value, allow_nan=True, ensure_ascii=False)
    answer = client.post(
        "/echo",
        params={"q": query.encode("utf-8", "surrogatepass").decode("utf-8", "replace")},
        content=body.encode("utf-8", "surrogatepass"),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code in (200, 413, 422), answer.text
    if answer.status_code == 200:
        assert answer.json()["body"] == _nfc(value)
    else:
        assert set(answer.json()["error"]) == {"kind", "message", "detail"}


def test_floats_that_are_finite_pass():
    assert clean_json(b'{"x": 1.5e300, "y": -0.0}') == {"x": 1.5e300, "y": -0.0}
    assert not math.isinf(clean_json(b"[1e308]")[0])
