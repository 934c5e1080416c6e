"""Full-text search over the cases' masked description and address (never the sealed text)."""

from sqlalchemy import ColumnElement, and_, or_

from onegrid.cases.models import Case


def matching(query: str) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the cases whose description or address hold every word
    of the query."""
    words = query.split()
    return and_(
        *(
            or_(
                Case.description.contains(w, autoescape=True),
                Case.address.contains(w, autoescape=True),
            )
            for w in words
        )
    )
