"""The employment ledgers on the demo district: a payment's and a loan's API bodies."""

import pytest

from onegrid.core.credit_code import credit_check_character
from tests.accounts.test_concurrent_writes import served  # noqa: F401  (a copy served)

STREET = "210104002"  # 大北街道
OTHER_STREET = "210104017"


def credit_code(n: int) -> str:
    """Returns a valid unified social credit code no demo enterprise holds."""
    first17 = f"91210104TE{n:07d}"
    return first17 + credit_check_character(first17)


def payment(n: int = 1, **changes) -> dict:
    return {
        "enterprise_name": f"沈阳测试企业{n}有限公司",
        "credit_code": credit_code(n),
        "street_code": STREET,
        "period": "2026-12",
        "amount_fen": 123_456,
        "jobs_kept": 40,
        "paid_at": "2026-12-05",
    } | changes


def loan(**changes) -> dict:
    return {
        "borrower_name": "李小龙",
        "id_number": "11010519491231002X",
        "street_code": STREET,
        "amount_fen": 30_000_000,
        "jobs_created": 3,
        "granted_at": "2026-12-03",
    } | changes


@pytest.fixture
def as_user(client, tokens):
    """Requests a page as a demo user (bearer token): as_user("hr", "get", "/employment")."""

    def call(username: str, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"} | kwargs.pop("headers", {})
        return client.request(method.upper(), path, headers=headers, **kwargs)

    return call
