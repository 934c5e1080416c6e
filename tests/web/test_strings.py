"""Every page's strings: both languages filled in, with the same placeholders."""

import re

import pytest

from onegrid.web import report_form
from onegrid.web.pages import docs, hotline, login, password, report, reports
from onegrid.web.pages import map as district_map
from onegrid.web.strings import ROLE_NAMES, SHARED, Strings

TABLES = {
    "shared": SHARED,
    "roles": ROLE_NAMES,
    **{
        page.__name__: page.STRINGS
        for page in (district_map, login, password, docs, report, hotline, reports)
    },
    "report_form": report_form.FORM_STRINGS,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_both_languages_have_every_string(name: str) -> None:
    strings: Strings = TABLES[name]
    for key, (zh, en) in strings.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"\{\w+\}", zh)) == set(re.findall(r"\{\w+\}", en)), key


def test_no_page_redefines_a_shared_string() -> None:
    for page in (district_map, login, password, docs, report, hotline, reports):
        assert not SHARED.keys() & page.STRINGS.keys(), page.__name__
