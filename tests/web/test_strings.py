"""Every page's strings: both languages filled in, with the same placeholders."""

import importlib
import pkgutil
import re

import pytest

from onegrid.web import pages, report_form
from onegrid.web.strings import ROLE_NAMES, SHARED, Strings

# Every page module with strings of its own: a new page is checked without being listed here.
PAGES = [
    module
    for module in (
        importlib.import_module(f"onegrid.web.pages.{info.name}")
        for info in pkgutil.iter_modules(pages.__path__)
    )
    if hasattr(module, "STRINGS")
]
TABLES = {
    "shared": SHARED,
    "roles": ROLE_NAMES,
    **{page.__name__: page.STRINGS for page in PAGES},
    "report_form": report_form.FORM_STRINGS,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_both_languages_have_every_string(name: str) -> None:
    strings: Strings = TABLES[name]
    for key, (zh, en) in strings.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"\{\w+\}", zh)) == set(re.findall(r"\{\w+\}", en)), key


def test_no_page_redefines_a_shared_string() -> None:
    for page in PAGES:
        assert not SHARED.keys() & page.STRINGS.keys(), page.__name__
