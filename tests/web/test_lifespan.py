"""Once started, the server freezes what it has loaded, out of the collector's full sweeps."""

import gc

from fastapi.testclient import TestClient

from onegrid.app import create_app


def test_the_started_server_has_frozen_its_long_lived_objects():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app()):
            assert gc.get_freeze_count() > 10_000  # the modules, the routes, the settings
    finally:
        gc.unfreeze()
