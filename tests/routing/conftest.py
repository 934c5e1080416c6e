"""Fixtures: the demo district with onegrid's catalogue and the demo's routing overrides."""

import pytest

from onegrid.demo import DEMO_DISTRICT
from onegrid.routing import service


@pytest.fixture
def catalogue(session) -> service.CatalogueReport:
    """Loads the catalogue and the demo rules into the test's rolled-back session."""
    report = service.load_catalogue(session=session, district_code=DEMO_DISTRICT)
    service.seed_demo_rules(session=session, district_code=DEMO_DISTRICT)
    return report
