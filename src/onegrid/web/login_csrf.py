"""Login CSRF: a sign-in is taken only from this site's own sign-in form.

Without it another site could post its own credentials to /login and sign a victim in under
the attacker's account (login CSRF). GET /login sets a random token, signed with the secret key,
in a short-lived SameSite=Strict cookie and repeats it in a hidden field; POST /login wants both,
equal, and an Origin (or Referer) naming this site.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import SplitResult, urlsplit

from fastapi import Request, Response

from onegrid.config import get_settings
from onegrid.core.errors import Forbidden

COOKIE = "onegrid_login_csrf"
FIELD = "csrf_token"
MAX_AGE_SECONDS = 30 * 60
_PURPOSE = b"onegrid login csrf\x00"


def _mac(nonce: str) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, _PURPOSE + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_token() -> str:
    """Returns a fresh token: a random nonce and its MAC under the secret key."""
    nonce = secrets.token_urlsafe(32)
    return f"{nonce}.{_mac(nonce)}"


def _is_ours(token: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(mac.encode(), _mac(nonce).encode())


def token_for(request: Request) -> str:
    """Returns the token for a new sign-in form: the browser's own if valid, else a fresh one."""
    current = request.cookies.get(COOKIE, "")
    # Two sign-in tabs share the cookie: a new token would void the form of the other.
    return current if current and _is_ours(current) else new_token()


def set_cookie(response: Response, token: str, root: str) -> None:
    """Sets the token cookie, sent back only to the sign-in form's own site and path."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        path=f"{root}/login",
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="strict",
    )


def _refuse(reason: str) -> Forbidden:
    return Forbidden(
        "登录表单已过期或并非来自本站，请在本站登录页重新登录",
        "the sign-in form has expired or did not come from this site; sign in again from this "
        "site's sign-in page",
        reason=reason,
    )


def _claimed_origin(request: Request) -> SplitResult | None:
    # Origin is sent with every POST of a modern browser; Referer is the fallback of older ones.
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return None
    try:
        return urlsplit(claimed)
    except ValueError:  # "http://[::1": names no site, least of all this one
        return SplitResult("", "", "", "", "")


def _same_origin(request: Request) -> bool:
    claimed = _claimed_origin(request)
    if claimed is None:
        return True  # neither (a privacy proxy, a script): the token decides
    # The host and port, not the scheme: behind a TLS proxy the app itself may see plain HTTP.
    return claimed.netloc.lower() == request.headers.get("host", "").lower()


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cookies_would_be_dropped(request: Request) -> bool:
    """Says whether the browser is on plain HTTP elsewhere than localhost, with Secure cookies."""
    claimed = _claimed_origin(request)
    if claimed is None or not get_settings().secure_cookies:
        return False
    return claimed.scheme == "http" and not _loopback(claimed.hostname or "")


def check(request: Request, given: str) -> None:
    """Raises Forbidden unless the sign-in form came from this site's own page."""
    if not _same_origin(request):
        raise _refuse("cross-origin")
    if _cookies_would_be_dropped(request):
        # Otherwise the sign-in would seem to work and silently lead back to this form.
        raise Forbidden(
            "本站 Cookie 只经 HTTPS 发送，而此页面是以 HTTP 打开的：请改用 HTTPS 访问"
            "（仅在局域网演示时可设置 ONEGRID_COOKIE_SECURE=false）",
            "this site's cookies travel over HTTPS only, but this page was opened over plain "
            "HTTP: open it over HTTPS (for a demo on a LAN only, set ONEGRID_COOKIE_SECURE=false)",
            reason="plain-http",
        )
    expected = request.cookies.get(COOKIE, "")
    if not (expected and given and hmac.compare_digest(given.encode(), expected.encode())):
        raise _refuse("token")
    if not _is_ours(expected):
        raise _refuse("token")
