"""A double payment is refused however it arrives: 16 attempts at once through a real server
pay the enterprise once, and so do 16 reversals of one payment (SQLite's write lock,
PostgreSQL's unique key)."""

import json
import threading
import urllib.request
from collections import Counter

from tests.accounts.test_concurrent_writes import _call
from tests.employment.conftest import payment

ATTEMPTS = 16


def _at_once(work) -> None:
    start = threading.Barrier(ATTEMPTS)

    def run(n: int) -> None:
        start.wait(timeout=60)
        work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def test_sixteen_concurrent_payments_pay_once_and_reverse_once(served, tokens):
    statuses: Counter = Counter()
    body = payment(99)

    def pay(n: int) -> None:
        statuses[_call(served, "/api/v1/employment/subsidies", body, tokens["hr"])[0]] += 1

    _at_once(pay)
    assert statuses == Counter({201: 1, 409: ATTEMPTS - 1})
    listed = _listed(served, tokens["hr"])
    paid = next(e for e in listed if e["credit_code"] == body["credit_code"])
    reversals: Counter = Counter()
    undo = {"reason": "并发冲正测试", "paid_at": "2026-12-07"}

    def reverse(n: int) -> None:
        path = f"/api/v1/employment/subsidies/{paid['id']}/reversal"
        reversals[_call(served, path, undo, tokens["hr"])[0]] += 1

    _at_once(reverse)
    assert reversals == Counter({201: 1, 409: ATTEMPTS - 1})


def _listed(url: str, token: str) -> list:
    request = urllib.request.Request(
        url + "/api/v1/employment/subsidies?limit=5", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())
