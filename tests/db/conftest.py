"""Fixtures of the database tests, shared with the audit and accounts tests."""

from tests.accounts.test_concurrent_writes import served  # noqa: F401  (the demo, served)
from tests.audit.conftest import append, audit_engine  # noqa: F401  (fixtures)
