"""Security headers on every response: the content security policy, framing, sniffing, referrer.

One ASGI middleware adds them to API answers, pages, static files and errors alike. A header
a response already carries wins: an evidence download sets its own, stricter policy.
"""

import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onegrid.config import get_settings

HSTS = "max-age=31536000"
# Leaflet and Swagger UI set styles through the DOM (element.style), which CSP allows; no page
# has a style attribute or a <style> element, so 'self' is enough for style-src too.
_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src {images}",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
_FIXED = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    # same-origin, not no-referrer: under no-referrer a form's POST carries `Origin: null`,
    # and the sign-in form's origin check needs the real one.
    ("referrer-policy", "same-origin"),
    ("permissions-policy", "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)
_HOST = re.compile(r"^[A-Za-z0-9.*-]+(?::[0-9]{1,5})?$")


def tile_origin(tile_url: str) -> str | None:
    """Returns the origin of a base-map tile URL, for the policy's img-src; None if same-site.

    Leaflet's `{s}` subdomain placeholder becomes a `*.` wildcard. A URL the policy cannot
    name safely (no scheme, odd characters) gives None: its tiles are then refused.
    """
    try:
        parts = urlsplit(tile_url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if "@" in host or not _HOST.match(host):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    """Returns the Content-Security-Policy of the pages, with the tile server's images allowed."""
    images = ["'self'", "data:"]
    origin = tile_origin(tile_url)
    if origin:
        images.append(origin)
    return "; ".join(_POLICY).format(images=" ".join(images))


def security_headers() -> list[tuple[bytes, bytes]]:
    """Returns the headers every response carries under the current settings."""
    settings = get_settings()
    headers = [("content-security-policy", content_security_policy(settings.tile_url)), *_FIXED]
    # Browsers ignore HSTS over plain HTTP; it is sent when the cookies say HTTPS is in use.
    if settings.secure_cookies:
        headers.append(("strict-transport-security", HSTS))
    return [(name.encode(), value.encode("latin-1")) for name, value in headers]


class SecurityHeaders:
    """ASGI middleware adding `security_headers()` to every HTTP response lacking them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in security_headers() if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
