"""axe-core finds no serious or critical violation on the pages a visitor meets first."""

import pytest

from tests.web.conftest import check_accessibility, field_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_the_sign_in_page_is_accessible(browser, demo_server, phone):
    with field_page(browser, demo_server, phone=phone) as page:
        page.goto(demo_server + "/login")
        check_accessibility(page)
