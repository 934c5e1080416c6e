"""The application factory: mounts each domain's router and the self-hosted assets."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from onegrid import API_PREFIX, __version__
from onegrid.accounts.identity import identify
from onegrid.accounts.views import router as accounts_router
from onegrid.audit.views import router as audit_router
from onegrid.cases import search
from onegrid.cases.views import router as cases_router
from onegrid.core import problems
from onegrid.core.inputs import InputPolicy
from onegrid.db import get_engine
from onegrid.db.wal import Checkpointer
from onegrid.employment.views import router as employment_router
from onegrid.indicators.views import router as indicators_router
from onegrid.mediation.views import router as mediation_router
from onegrid.open311 import views as open311
from onegrid.open311.views import router as open311_router
from onegrid.pii.views import router as pii_router
from onegrid.routing.views import router as routing_router
from onegrid.territory.views import router as territory_router
from onegrid.web.headers import SecurityHeaders
from onegrid.web.pages.errors import error_page
from onegrid.web.pages.login import sign_in_first
from onegrid.web.rendering import STATIC_DIR
from onegrid.web.views import router as web_router


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What is loaded by now lives as long as the process: freezing it keeps it out of the
    # collector's full collections, which otherwise scan it all and pause a request for ~100 ms
    # whenever responses of thousands of objects (a dashboard by grid) have come and gone.
    search.warm()  # the segmenter's dictionary, before the first report needs it
    checkpointer = Checkpointer(get_engine())
    checkpointer.start()
    gc.freeze()
    try:
        yield
    finally:
        checkpointer.stop()


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
        # Who is asking is found before any route's access rule runs (onegrid.core.access).
        dependencies=[Depends(identify)],
    )
    answer = problems.install(
        app,
        special={open311.BASE_PREFIX: open311.error_response},
        sign_in=sign_in_first,
        page=error_page,
    )
    # The input policy sees every request first; its refusals are answered like the rest.
    app.add_middleware(InputPolicy, answer=answer)
    app.include_router(accounts_router, prefix=API_PREFIX)
    app.include_router(audit_router, prefix=API_PREFIX)
    app.include_router(territory_router, prefix=API_PREFIX)
    app.include_router(routing_router, prefix=API_PREFIX)
    app.include_router(cases_router, prefix=API_PREFIX)
    app.include_router(pii_router, prefix=API_PREFIX)
    app.include_router(indicators_router, prefix=API_PREFIX)
    app.include_router(employment_router, prefix=API_PREFIX)
    app.include_router(mediation_router, prefix=API_PREFIX)
    app.include_router(open311_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(web_router)
    # Outside Starlette's server-error middleware too, so that a 500 carries the headers.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack())  # type: ignore[method-assign]
    app.openapi = lambda: _openapi(app)
    return app


def _openapi(app: FastAPI) -> dict:
    if app.openapi_schema is None:
        app.openapi_schema = problems.documented(
            app, own={open311.BASE_PREFIX: open311.documented_responses}
        )
    return app.openapi_schema
