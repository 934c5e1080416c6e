"""A code column's value starting with a prefix (a unit's code: its grids'), in the form each
store's index answers: SQLite a GLOB, whose prefix it reads as a range of its index (its LIKE is
case-insensitive, so no index serves it); PostgreSQL a LIKE.

    select(Case).where(starts_with(Case.grid_code, "210104008"))
"""

from sqlalchemy import Boolean, ColumnElement, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

_GLOB_SPECIAL = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})


class _StartsWith(ColumnElement[bool]):
    type = Boolean()
    inherit_cache = True  # the column and the prefix are its cache key
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("prefix", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement, prefix: str) -> None:
        self.column = column
        self.prefix = prefix


def starts_with(column: ColumnElement, prefix: str) -> ColumnElement[bool]:
    """Returns the condition that the column's value starts with this prefix."""
    return _StartsWith(column, prefix)


@compiles(_StartsWith)
def _like(element: _StartsWith, compiler, **kw) -> str:
    return compiler.process(element.column.startswith(element.prefix, autoescape=True), **kw)


@compiles(_StartsWith, "sqlite")
def _glob(element: _StartsWith, compiler, **kw) -> str:
    pattern = literal(element.prefix.translate(_GLOB_SPECIAL) + "*")
    return compiler.process(element.column.op("GLOB")(pattern), **kw)
