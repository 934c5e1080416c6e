"""XML (required by the spec) and JSON (the Spark convention) renderings of Open311 documents.

The JSON is the XML mapped by the Spark convention: a container of repeated elements becomes an
array (the root of a list document too), an element with children an object, text a string,
number or boolean, and an empty element null.
"""

import json
import re
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from fastapi import Response
from pydantic import BaseModel

from onegrid.core.errors import NotFound

# The element each container repeats.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped: a report's text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Format(StrEnum):
    XML = "xml"
    JSON = "json"

    @property
    def media_type(self) -> str:
        return "text/xml" if self is Format.XML else "application/json"


def parse_format(suffix: str) -> Format:
    """Returns the format a URL's suffix names, or NotFound: no other resource exists."""
    try:
        return Format(suffix)
    except ValueError:
        raise NotFound(
            f"不支持的格式 .{suffix}：请用 .xml 或 .json",
            f"no format .{suffix}: use .xml or .json",
        ) from None


def format_of_path(path: str) -> Format:
    """Returns the format a request path asks for: JSON if it ends in .json, else XML."""
    return Format.JSON if path.endswith(".json") else Format.XML


def plain(document: BaseModel | list[BaseModel]) -> Any:
    """Returns the document as dicts and lists, leaving out the fields never set."""
    if isinstance(document, list):
        return [item.model_dump(exclude_unset=True) for item in document]
    return document.model_dump(exclude_unset=True)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ElementTree.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """Returns the document as UTF-8 XML under this root element, with its declaration."""
    element = ElementTree.Element(root)
    _fill(element, data)
    return _DECLARATION + ElementTree.tostring(element, encoding="unicode").encode("utf-8")


def to_json(data: Any) -> bytes:
    """Returns the document as UTF-8 JSON (the Spark convention drops the root element)."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render(
    document: BaseModel | list[BaseModel], root: str, fmt: Format, status_code: int = 200
) -> Response:
    """Returns the response carrying the document in the format, with its UTF-8 content type."""
    data = plain(document)
    body = to_xml(root, data) if fmt is Format.XML else to_json(data)
    return Response(body, status_code=status_code, media_type=f"{fmt.media_type}; charset=utf-8")
