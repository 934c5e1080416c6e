"""The application factory: mounts each domain's router and the self-hosted assets."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from onegrid import API_PREFIX, __version__
from onegrid.accounts.views import router as accounts_router
from onegrid.audit.views import router as audit_router
from onegrid.cases.views import router as cases_router
from onegrid.core.errors import DomainError
from onegrid.core.i18n import pick_language
from onegrid.indicators.views import router as indicators_router
from onegrid.open311.views import router as open311_router
from onegrid.pii.views import router as pii_router
from onegrid.routing.views import router as routing_router
from onegrid.territory.views import router as territory_router
from onegrid.web.headers import SecurityHeaders
from onegrid.web.views import STATIC_DIR
from onegrid.web.views import router as web_router

_STATUS = {
    "not_found": 404,
    "invalid": 422,
    "conflict": 409,
    "unauthenticated": 401,
    "forbidden": 403,
}


async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
    lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    body = {"error": {"kind": exc.kind, "message": exc.message(lang), "detail": exc.detail}}
    headers = {"WWW-Authenticate": "Bearer"} if exc.kind == "unauthenticated" else None
    return JSONResponse(body, status_code=_STATUS.get(exc.kind, 400), headers=headers)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What is loaded by now lives as long as the process: freezing it keeps it out of the
    # collector's full collections, which otherwise scan it all and pause a request for ~100 ms
    # whenever responses of thousands of objects (a dashboard by grid) have come and gone.
    gc.freeze()
    yield


def create_app() -> FastAPI:
    """Returns the onegrid web application."""
    app = FastAPI(
        lifespan=_lifespan,
        title="onegrid",
        version=__version__,
        description="一网统管 — the grid-based closed loop of a city district. "
        "Coordinates are WGS-84 unless a `crs` parameter says otherwise.",
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(DomainError, _domain_error)
    app.include_router(accounts_router, prefix=API_PREFIX)
    app.include_router(audit_router, prefix=API_PREFIX)
    app.include_router(territory_router, prefix=API_PREFIX)
    app.include_router(routing_router, prefix=API_PREFIX)
    app.include_router(cases_router, prefix=API_PREFIX)
    app.include_router(pii_router, prefix=API_PREFIX)
    app.include_router(indicators_router, prefix=API_PREFIX)
    app.include_router(open311_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(web_router)
    # Outside Starlette's server-error middleware too, so that a 500 carries the headers.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack())  # type: ignore[method-assign]
    return app
