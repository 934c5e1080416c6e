"""The Open311 GeoReport v2 endpoint under /open311/v2, in XML and JSON by the URL's suffix.

Every answer, errors included, is in the spec's format: errors are a list of code and
description with HTTP 404 (no such resource), 403 (api_key) or 400 (anything else).
"""

from collections.abc import Callable
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from onegrid.config import Environment, get_settings
from onegrid.core.access import public, source_of
from onegrid.core.errors import DomainError, Forbidden, NotFound
from onegrid.core.i18n import pick_language
from onegrid.core.permissions import Principal
from onegrid.db import DbSession, WritingSession
from onegrid.db.base import utcnow
from onegrid.open311 import keys, service, submissions
from onegrid.open311.definitions import definition_of, service_of
from onegrid.open311.formats import Format, format_of_path, parse_format, render
from onegrid.open311.keys import RateLimited
from onegrid.open311.mapping import Facts, created_notice, request_of, w3
from onegrid.open311.params import Params, parse_post, parse_query
from onegrid.open311.schemas import (
    Created,
    Discovery,
    Endpoint,
    Error,
    Service,
    ServiceDefinition,
    TokenAnswer,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
BASE_PREFIX = "/open311"
BASE = "/open311/v2"
_STATUS = {"not_found": 404, "forbidden": 403, "unauthenticated": 403}


def error_response(request: Request, error: DomainError) -> Response:
    """Returns the spec's error document for a domain error, in the format the URL asks for."""
    lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    status = _STATUS.get(error.kind, 400)
    document = [Error(code=getattr(error, "code", status), description=error.message(lang))]
    response = render(document, "errors", format_of_path(request.url.path), status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


_ERRORS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
_ERROR_STATUSES = {
    "400": "参数无效 / a parameter is not valid",
    "403": "api_key 无效或过于频繁 / the api_key is not valid or used too often",
    "404": "没有这个资源 / no such resource",
}


def documented_responses(operation: dict) -> dict:
    """Returns an Open311 operation's answers for the OpenAPI document: XML or JSON by the URL's
    suffix, errors in the spec's format."""
    xml = {"schema": {"type": "string"}}
    answers = {
        "200": {
            "description": operation.get("summary", "OK"),
            "content": {"text/xml": xml, "application/json": {"schema": {}}},
        }
    }
    errors = {"text/xml": xml, "application/json": {"schema": _ERRORS_SCHEMA}}
    answers |= {s: {"description": d, "content": errors} for s, d in _ERROR_STATUSES.items()}
    return answers


class Open311Route(APIRoute):
    """A route whose domain errors are answered in the spec's error format."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                return error_response(request, error)

        return route


router = APIRouter(prefix="/open311", tags=["open311"], route_class=Open311Route)
Anyone = Annotated[Principal, public()]


async def _params(request: Request) -> Params:
    items = list(request.query_params.multi_items())
    if request.method == "POST":
        form = await request.form()
        items += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return Params(items)


Parameters = Annotated[Params, Depends(_params)]


def _lang(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().time_zone)


def _district(session: Session, params: Params) -> str:
    return service.jurisdiction(session=session, jurisdiction_id=params.get("jurisdiction_id"))


def _discovery(fmt: str, request: Request, session: DbSession, params: Params) -> Response:
    chosen = parse_format(fmt)
    jurisdiction_id = params.get("jurisdiction_id")
    district = _district(session, params) if jurisdiction_id else None
    changed = service.changeset(session=session, district_code=district) or utcnow()
    stamp = w3(changed, _zone()) or ""
    settings = get_settings()
    production = settings.environment is Environment.PRODUCTION
    endpoint = Endpoint(
        specification=SPECIFICATION,
        url=str(request.base_url).rstrip("/") + BASE,
        changeset=stamp,
        type="production" if production else "test",
        formats=[Format.XML.media_type, Format.JSON.media_type],
    )
    document = Discovery(
        changeset=stamp,
        contact=settings.open311_contact,
        key_service=settings.open311_key_service,
        endpoints=[endpoint],
    )
    return render(document, "discovery", chosen)


@router.get("/discovery.{fmt}", summary="Open311 service discovery")
def discovery(
    fmt: str, request: Request, session: DbSession, who: Anyone, params: Parameters
) -> Response:
    return _discovery(fmt, request, session, params)


@router.get("/v2/discovery.{fmt}", summary="Open311 service discovery (under the endpoint)")
def discovery_v2(
    fmt: str, request: Request, session: DbSession, who: Anyone, params: Parameters
) -> Response:
    return _discovery(fmt, request, session, params)


@router.get("/v2/services.{fmt}", summary="Open311: the services (categories)")
def list_services(
    fmt: str, request: Request, session: DbSession, who: Anyone, params: Parameters
) -> Response:
    chosen, lang = parse_format(fmt), _lang(request)
    categories = service.list_services(session=session, district_code=_district(session, params))
    document: list[Service] = [service_of(c, lang) for c in categories]
    return render(document, "services", chosen)


@router.get("/v2/services/{service_code}.{fmt}", summary="Open311: a service definition")
def get_service(
    service_code: str,
    fmt: str,
    request: Request,
    session: DbSession,
    who: Anyone,
    params: Parameters,
) -> Response:
    chosen, lang = parse_format(fmt), _lang(request)
    category = service.get_service(
        session=session, district_code=_district(session, params), code=service_code
    )
    document: ServiceDefinition = definition_of(category, lang)
    return render(document, "service_definition", chosen)


@router.post("/v2/requests.{fmt}", summary="Open311: post a service request (api_key)")
def post_request(
    fmt: str, request: Request, session: WritingSession, who: Anyone, params: Parameters
) -> Response:
    chosen, lang = parse_format(fmt), _lang(request)
    named = params.get("jurisdiction_id")
    if named is not None:
        service.jurisdiction(session=session, jurisdiction_id=named)
    key = keys.authenticate(session=session, key=params.get("api_key"))
    if named is not None and named != key.district_code:
        raise Forbidden(
            f"该 api_key 不能用于辖区 {named}",
            f"this api_key is not valid for jurisdiction {named}",
        )
    keys.limiter.admit(key.key_hash, key.rate_per_minute)
    source = source_of(request)
    done = submissions.submit(session=session, key=key, posted=parse_post(params), source=source)
    notice = created_notice(done.category, done.possible_duplicate, lang)
    if done.token is not None:
        created = Created(token=done.token, service_notice=notice, account_id=None)
    else:
        created = Created(
            service_request_id=str(done.case_id), service_notice=notice, account_id=None
        )
    return render([created], "service_requests", chosen)


@router.get("/v2/tokens/{token}.{fmt}", summary="Open311: the request id of a token")
def get_token(
    token: str, fmt: str, request: Request, session: DbSession, who: Anyone, params: Parameters
) -> Response:
    chosen = parse_format(fmt)
    row = submissions.find_token(
        session=session, district_code=_district(session, params), token=token
    )
    failure = submissions.failure(row)
    if failure is not None:
        raise failure
    case_id = None if row.case_id is None else str(row.case_id)
    document = TokenAnswer(service_request_id=case_id, token=row.token)
    return render([document], "service_requests", chosen)


@router.get("/v2/requests.{fmt}", summary="Open311: service requests")
def list_requests(
    fmt: str, request: Request, session: DbSession, who: Anyone, params: Parameters
) -> Response:
    chosen, lang, zone = parse_format(fmt), _lang(request), _zone()
    district = _district(session, params)
    query = parse_query(params, now=utcnow(), zone=zone)
    cases = service.list_requests(session=session, district_code=district, query=query)
    facts: Facts = service.facts_for(
        session=session, district_code=district, cases=cases, timelines=query.extensions
    )
    document = [
        request_of(c, facts, zone=zone, lang=lang, extensions=query.extensions) for c in cases
    ]
    return render(document, "service_requests", chosen)


@router.get("/v2/requests/{service_request_id}.{fmt}", summary="Open311: one service request")
def get_request(
    service_request_id: str,
    fmt: str,
    request: Request,
    session: DbSession,
    who: Anyone,
    params: Parameters,
) -> Response:
    chosen, lang, zone = parse_format(fmt), _lang(request), _zone()
    district = _district(session, params)
    case = service.get_request(
        session=session, district_code=district, request_id=service_request_id
    )
    extensions = params.get("extensions") == "true"
    facts = service.facts_for(
        session=session, district_code=district, cases=[case], timelines=extensions
    )
    document = [request_of(case, facts, zone=zone, lang=lang, extensions=extensions)]
    return render(document, "service_requests", chosen)


@router.api_route("/{path:path}", methods=["GET", "POST"], include_in_schema=False)
def unknown(path: str, who: Anyone) -> Response:
    raise NotFound(
        f"没有资源 /open311/{path}：见 /open311/discovery.xml",
        f"no resource /open311/{path}: see /open311/discovery.xml",
    )
