"""Rendering a page on the base layout: language, templates, and what every page is given."""

from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from onegrid import __version__
from onegrid.core.i18n import LANGUAGES, pick_language
from onegrid.web.strings import HTML_LANG, Strings, other_language, page_strings

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
Lang = Annotated[str | None, Query(description="zh or en")]


def language(request: Request, lang: str | None) -> str:
    """Returns the page language: the `lang` query if given, else the one the signed-in user
    chose (the header's switch), else the browser's preference."""
    chosen = lang if lang in LANGUAGES else getattr(request.state, "language", None)
    return pick_language(chosen, request.headers.get("accept-language"))


def root(request: Request) -> str:
    """Returns the path the app is mounted under ("" at the site's root)."""
    return request.scope.get("root_path", "").rstrip("/")


def sign_in_redirect(request: Request, target: str, lang: str) -> Response:
    """Sends the browser to the sign-in form, to come back to `target` (a path on this site)."""
    return RedirectResponse(f"{root(request)}/login?next={quote(target)}&lang={lang}", 303)


def here(request: Request) -> str:
    """Returns this page's path on the site (after the root) and its query without `lang`:
    where a signed-in user's language switch comes back to."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    path = request.url.path[len(root(request)) :] or "/"
    return path + (f"?{urlencode(params)}" if params else "")


def came_from(request: Request) -> str:
    """Returns the page a form was sent from (its Referer, a path on this site), else `/`."""
    parts = urlsplit(request.headers.get("referer", ""))
    site = root(request)
    if parts.netloc != request.url.netloc or not parts.path.startswith(site + "/"):
        return "/"
    path = parts.path[len(site) :]
    if path.startswith("//") or "\\" in path:
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


def _switched(request: Request, lang: str) -> str:
    # Relative: the same page, the language first, then the rest of its query.
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return "?" + urlencode([("lang", lang), *kept])


def render(
    request: Request,
    name: str,
    lang: str,
    strings: Strings,
    context: dict,
    status: int = 200,
    script: dict | None = None,
) -> Response:
    """Renders a template extending base.html, with the page's strings as `t`; `script`, what
    the page's script reads, goes to the template as `config` with the language and strings."""
    t = page_strings(lang, strings)
    common = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "other_lang": other_language(lang),
        "other_html_lang": HTML_LANG[other_language(lang)],
        "t": t,
        "root": root(request),
        "version": __version__,
        # The language switch: a visitor's link keeps the page's query; a signed-in user's
        # form stores the choice on the account and comes back here.
        "switch_href": _switched(request, other_language(lang)),
        # After a form's POST, back to the page it was sent from (the POST's path may take no GET).
        "switch_next": here(request) if request.method in ("GET", "HEAD") else came_from(request),
    }
    if script is not None:
        common["config"] = {"lang": lang, **script, "strings": t}
    headers = {"Content-Language": HTML_LANG[lang], "Vary": "Accept-Language, Cookie"}
    return templates.TemplateResponse(
        request, name, {**common, **context}, status_code=status, headers=headers
    )
