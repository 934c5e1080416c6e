"""The cases' fixtures: reports are made of cases opened through the real intake."""

from tests.cases.conftest import inside, make_case  # noqa: F401
