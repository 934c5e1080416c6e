"""A password an administrator set opens only the page that changes it, in the browser too."""

import re

from tests.login_form import post_login

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW = "Lantern-Office-Walk-9"


def _reset(client, tokens, username: str) -> str:
    answer = client.post(
        f"/api/v1/users/{username}/password",
        json={},
        headers={"Authorization": f"Bearer {tokens['secadmin']}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["temporary_password"]


def _sign_in(client, username: str, password: str):
    return post_login(
        client, data={"username": username, "password": password}, follow_redirects=False
    )


def test_a_temporary_password_leads_to_the_password_page_and_nowhere_else(client, tokens):
    temporary = _reset(client, tokens, "street")
    signed = _sign_in(client, "street", temporary)
    assert signed.status_code == 303 and signed.headers["location"] == "/password?lang=zh"
    # The map sends them back to the password page.
    assert client.get("/", follow_redirects=False).headers["location"] == "/password?lang=zh"
    page = client.get("/password")
    assert page.status_code == 200
    assert "管理员为您设置了临时密码" in page.text and "no-store" in page.headers["cache-control"]
    token = _CSRF.search(page.text).group(1)

    def change(new: str, confirm: str, lang: str = "zh"):
        form = {"old_password": temporary, "new_password": new, "confirm_password": confirm}
        return client.post(
            f"/password?lang={lang}",
            data={**form, "csrf_token": token},
            follow_redirects=False,
        )

    differ = change(NEW, NEW + "x")
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.text
    weak = change("Qwerty123456", "Qwerty123456", lang="en")
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    forged = client.post(
        "/password",
        data={"old_password": temporary, "new_password": NEW, "confirm_password": NEW},
        follow_redirects=False,
    )
    assert forged.status_code == 403  # no CSRF token: another site cannot change it
    done = change(NEW, NEW)
    assert done.status_code == 303 and done.headers["location"] == "/?lang=zh"
    assert client.get("/", follow_redirects=False).status_code == 200  # the map, at last
    client.cookies.clear()
    assert _sign_in(client, "street", NEW).headers["location"] == "/area"  # its own desk


def test_a_user_with_a_temporary_password_can_sign_out(client, tokens):
    temporary = _reset(client, tokens, "leader")
    _sign_in(client, "leader", temporary)
    token = _CSRF.search(client.get("/password").text).group(1)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/password").status_code == 401


def test_a_browser_not_signed_in_is_sent_to_sign_in_and_an_api_client_told_401(client):
    page = client.get(
        "/password?lang=en", headers={"Accept": "text/html,*/*"}, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/password%3Flang%3Den&lang=en"
    api = client.get("/api/v1/cases", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.json()["error"]["kind"] == "unauthenticated"
    script = client.get("/password")  # no Accept: text/html first — a script, not a browser
    assert script.status_code == 401
    html_to_api = client.get("/api/v1/cases", headers={"Accept": "text/html"})
    assert html_to_api.status_code == 401  # the API answers as documented, whatever is asked
