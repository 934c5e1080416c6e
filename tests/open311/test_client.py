"""An Open311 client written from the spec alone, against a real `onegrid serve`: it discovers
the endpoint, lists the services, reads a definition, posts a request in both flows (realtime
and token) and follows each to closed — through the server's durable group commit and its
batch queue, not the test client's shortcuts."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy.orm import Session

from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.core.permissions import operator
from tests.cases.conftest import WORKER_GRID, own_demo_engine, point_in

__all__ = ["own_demo_engine"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(own_demo_engine, onegrid_cli, tmp_path):
    """A running `onegrid serve` on the demo district, its batch queue opened every second,
    and an API key made with the command line: (base URL, key, engine)."""
    url = own_demo_engine.url.render_as_string(hide_password=False)
    made = onegrid_cli(url, "open311", "key", "create", "spec-client")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    port = _free_port()
    env = {
        **os.environ,
        "ONEGRID_DATABASE_URL": url,
        "ONEGRID_OPEN311_BATCH_INTERVAL_SECONDS": "1",
        "ONEGRID_EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "onegrid", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{root}/open311/discovery.xml", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("onegrid serve did not answer")
        yield root, key, own_demo_engine
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(url: str) -> ElementTree.Element:
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.headers["Content-Type"] == "text/xml; charset=utf-8"
        return ElementTree.fromstring(answer.read())


def _post(url: str, fields: list[tuple[str, str]]) -> ElementTree.Element:
    body = urllib.parse.urlencode(fields).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return ElementTree.fromstring(answer.read())
    except urllib.error.HTTPError as error:
        pytest.fail(f"POST refused: {error.code} {error.read().decode()}")


def _answers(definition: ElementTree.Element) -> list[tuple[str, str]]:
    """Fills every required attribute the way the definition says its datatype is filled."""
    fields = []
    for attribute in definition.iter("attribute"):
        if attribute.findtext("required") != "true":
            continue
        code, datatype = attribute.findtext("code"), attribute.findtext("datatype")
        first_key = attribute.findtext("values/value/key")
        value = {
            "number": "3",
            "datetime": datetime.now(UTC).isoformat(timespec="seconds"),
            "singlevaluelist": first_key,
        }.get(datatype, "由 Open311 客户端填写")
        name = f"attribute[{code}][]" if datatype == "multivaluelist" else f"attribute[{code}]"
        fields.append((name, first_key if datatype == "multivaluelist" else value))
    return fields


def test_a_spec_only_client_reports_and_follows_to_closed(server):
    root, key, engine = server
    discovery = _get(f"{root}/open311/discovery.xml")
    endpoint = next(
        e
        for e in discovery.iter("endpoint")
        if e.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    )
    base = endpoint.findtext("url")
    assert "text/xml" in [f.text for f in endpoint.iter("format")]
    services = {s.findtext("type"): s for s in _get(f"{base}/services.xml").iter("service")}
    assert {"realtime", "batch"} <= set(services)
    with Session(engine) as session:
        point = point_in(session, WORKER_GRID)

    ids = {}
    for kind, service in services.items():
        code = service.findtext("service_code")
        fields = [("api_key", key), ("service_code", code)]
        fields += [("lat", str(point.y)), ("long", str(point.x)), ("description", f"{kind} 测试")]
        if service.findtext("metadata") == "true":
            fields += _answers(_get(f"{base}/services/{code}.xml"))
        created = _post(f"{base}/requests.xml", fields).find("request")
        if kind == "realtime":
            assert created.find("token") is None
            ids[kind] = created.findtext("service_request_id")
            continue
        assert created.find("service_request_id") is None
        token = created.findtext("token")
        for _ in range(100):  # the server opens its queue every second
            ids[kind] = _get(f"{base}/tokens/{token}.xml").findtext("request/service_request_id")
            if ids[kind]:
                break
            time.sleep(0.2)
        assert ids[kind], "the token never gave an id"

    for kind, request_id in ids.items():
        request = _get(f"{base}/requests/{request_id}.xml").find("request")
        assert request.findtext("status") == "open"
        assert request.findtext("description") == f"{kind} 测试"
        with Session(engine) as session:  # the district's staff work the case through
            case = session.get(Case, int(request_id))
            who = operator("staff")
            for action in (Action.OPEN, Action.DISPATCH, Action.FEEDBACK, Action.CHECK_PASS):
                transition(session=session, case=case, action=action, who=who, note="已处置")
            session.commit()
        request = _get(f"{base}/requests/{request_id}.xml").find("request")
        assert request.findtext("status") == "closed"
        assert request.findtext("status_notes") == "已办结：现场核查通过"
        listed = _get(f"{base}/requests.xml?status=closed").iter("service_request_id")
        assert request_id in [e.text for e in listed]
