"""Pages: the district map at `/`."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from onegrid import API_PREFIX, __version__
from onegrid.config import get_settings
from onegrid.core.i18n import pick_language
from onegrid.web.i18n import HTML_LANG, other_language, strings

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def _script_config(root: str, lang: str) -> dict:
    """Returns what map.js reads from the page: API path, base-map tiles and the strings."""
    settings = get_settings()
    return {
        "lang": lang,
        "api": root + API_PREFIX,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
        "strings": strings(lang),
    }


def _page_context(root: str, lang: str) -> dict:
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "other_lang": other_language(lang),
        "t": strings(lang),
        "root": root,
        "version": __version__,
        "config": _script_config(root, lang),
    }


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request, lang: Annotated[str | None, Query(description="zh or en")] = None
) -> HTMLResponse:
    """The district map, in the language asked for by ?lang= or Accept-Language."""
    chosen = pick_language(lang, request.headers.get("accept-language"))
    root = request.scope.get("root_path", "").rstrip("/")
    headers = {"Content-Language": HTML_LANG[chosen], "Vary": "Accept-Language"}
    return templates.TemplateResponse(
        request, "index.html", _page_context(root, chosen), headers=headers
    )
