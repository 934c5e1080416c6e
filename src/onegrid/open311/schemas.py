"""Open311 documents in the spec's field order, and the parsed inputs of its methods.

A field left unset is left out of the document; a field set to None is an empty element in
XML and null in JSON (onegrid.open311.formats renders both).
"""

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel


class Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str
    keywords: str | None
    group: str | None


class Value(BaseModel):
    key: str
    name: str


class Attribute(BaseModel):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[Value]


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


class Created(BaseModel):
    """The answer to a POST: a service_request_id or a token, never both."""

    service_request_id: str | None = None  # the GeoReport v2 JSON schema's type: a string
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None


class TokenAnswer(BaseModel):
    service_request_id: str | None = None
    token: str


class AttributeValue(BaseModel):
    """One answer to a service attribute (the Extensions page's `attributes`)."""

    label: str
    name: str
    value: str
    code: str


class Note(BaseModel):
    """One step of the case's timeline as a citizen may see it (the Extensions page's notes)."""

    datetime: str
    description: str
    type: str


class ServiceRequest(BaseModel):
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float
    long: float
    media_url: str | None
    # extensions=true only
    attributes: list[AttributeValue] | None = None
    extended_attributes: dict | None = None
    notes: list[Note] | None = None


class Error(BaseModel):
    code: int
    description: str


@dataclass(frozen=True)
class RequestQuery:
    """GET requests, parsed: ids override everything else (as the spec says)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = 1000
    extensions: bool = False


@dataclass(frozen=True)
class PostedRequest:
    """POST requests, parsed: what the intake needs, and the spec's fields it keeps."""

    service_code: str
    lat: float
    long: float
    description: str | None = None
    address_string: str | None = None
    attributes: dict = field(default_factory=dict)
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    media_url: str | None = None
