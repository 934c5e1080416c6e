"""Refusals under concurrent writers, through a real server: every one answers 403 and every
one is audited, and the chain still verifies (finding 3: on SQLite 76 of 80 answered 500)."""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onegrid.audit import AuditRecord, verify
from onegrid.core.permissions import Scope
from onegrid.db import get_engine
from onegrid.demo.build import DEMO_PASSWORD
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb
from tests.cases.conftest import WORKER_GRID

THREADS = 8
EACH = 5
DISTRICT = "210104"


def _call(url: str, method: str, path: str, body=None, token: str | None = None) -> tuple:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _sign_in(url: str, username: str) -> str:
    status, answer = _call(
        url, "POST", "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD}
    )
    assert status == 200, answer
    return answer["access_token"]


def _denied(connection) -> int:
    return connection.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(
            AuditRecord.actor == "auditadmin",
            AuditRecord.action == "access.denied",
            AuditRecord.outcome == "denied",
        )
    )


def test_refusals_among_concurrent_writers_all_answer_403_and_are_audited(served):
    # The served copy, not the demo database: a connection left on that would stop the next
    # test copying it.
    with Session(get_engine()) as session:
        unit = territory.get_by_code(session=session, code=WORKER_GRID, scope=Scope.all())
        point = from_wkb(unit.geometry).representative_point()
    writer, reader = _sign_in(served, "command"), _sign_in(served, "auditadmin")
    with get_engine().connect() as connection:
        before = _denied(connection)
    statuses: Counter = Counter()
    start = threading.Barrier(2 * THREADS)

    def write(n: int) -> None:
        start.wait()
        for i in range(EACH):
            body = {
                "category_code": "0107",
                "description": f"路灯不亮 {n}-{i}",
                "lon": point.x,
                "lat": point.y,
            }
            status, _ = _call(served, "POST", "/api/v1/cases", body, writer)
            statuses[("write", status)] += 1

    def refused(_n: int) -> None:
        start.wait()
        for _ in range(EACH):
            status, _ = _call(served, "GET", "/api/v1/cases", token=reader)
            statuses[("refused", status)] += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    threads += [threading.Thread(target=refused, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert statuses == {("write", 201): THREADS * EACH, ("refused", 403): THREADS * EACH}
    with get_engine().connect() as connection:
        assert _denied(connection) - before == THREADS * EACH
    with Session(get_engine()) as session:
        report = verify(session=session, district_code=DISTRICT)
    assert report.ok, report.first_broken
