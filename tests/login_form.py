"""Signing in through the sign-in form as a browser does: its page first, then the form."""

import re

from fastapi.testclient import TestClient

_TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


def form_token(client: TestClient, path: str = "/login") -> str:
    """Opens the sign-in page (which sets the login-CSRF cookie) and returns its form's token."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = _TOKEN.search(page.text)
    assert match, "the sign-in form has no csrf_token field"
    return match.group(1)


def post_login(client: TestClient, path: str = "/login", **kwargs):
    """Posts the sign-in form (kwargs as for client.post) with the token its page gave."""
    data = {**kwargs.pop("data", {}), "csrf_token": form_token(client)}
    return client.post(path, data=data, **kwargs)
