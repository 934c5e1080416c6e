"""What the header of a signed-in page shows: who, in which role and scope, and where to go."""

from fastapi import Request
from sqlalchemy.orm import Session

from onegrid.core.permissions import Principal, Scope
from onegrid.routing import inbox
from onegrid.territory import service as territory
from onegrid.web.navigation import links_for
from onegrid.web.strings import ROLE_NAMES, SHARED, pick

_SCOPE_NAMES_SHOWN = 2
_SEPARATOR = {"zh": "、", "en": ", "}


def _scope_label(session: Session, who: Principal, lang: str) -> str:
    scope = who.scope
    codes = scope.unit_codes or ((scope.district_code,) if scope.district_code else ())
    shown = codes[:_SCOPE_NAMES_SHOWN]
    # Scope.all(): these are the user's own scope's units (a district-wide scope has no unit
    # codes, so its own clause would not name its district).
    found = territory.names(session=session, codes=shown, scope=Scope.all())
    names = [found.get(code, code) for code in shown]
    more = "…" if len(codes) > _SCOPE_NAMES_SHOWN else ""
    return _SEPARATOR[lang].join(names) + more


def header_context(request: Request, session: Session, who: Principal, lang: str) -> dict:
    """Returns the header's user, role, scope, unread notifications, navigation and sign-out
    token (none if anonymous)."""
    if who.is_anonymous:
        return {"account": None, "nav_links": links_for(who)}
    roles = pick(ROLE_NAMES, lang)
    role = roles.get(who.role.value, who.role.value) if who.role else ""
    user = pick(SHARED, lang)["signed_in_as"].format(name=who.username, role=role)
    return {
        "account": {"user": user, "scope": _scope_label(session, who, lang)},
        "nav_links": links_for(who),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "unread": inbox.unread_count(session=session, who=who),
    }
