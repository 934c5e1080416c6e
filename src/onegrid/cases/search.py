"""Full-text search over the cases' description and address: the masked text everyone reads,
never the sealed text as typed (a search must not find what the reader may not see).

Chinese has no spaces, so the text is cut into words by jieba's algorithm and dictionary
(rjieba, the Rust port jieba-rs: a maintained segmenter; HMM off, so the same text always gives
the same words) and the words are stored,
space-separated, in `case_text` (one row per case, written with the case by
drafts.insert_cases, the one path every intake and import takes). The stores index those words:
SQLite an FTS5 table over case_text (kept in step by triggers), PostgreSQL a GIN index on
to_tsvector('simple', words) (migration 0018).

A query is cut the same way; a case matches when it holds every word of the query, each word
also as the start of a longer one ("井" finds 井盖, "北海" finds 北海街). So partial words
match from their start; a typo (a wrong character) finds nothing rather than guessing. Words
are cut by the dictionary: a name it does not know (华炉) is held as its characters, and found
by them in any order.

    matching("井盖 北海街")      # a condition for select(Case).where(…)
    `onegrid case reindex`       # segments every case again (after a dictionary change)
"""

import re
from collections.abc import Iterable
from functools import cache

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from onegrid.cases.models import Case, CaseText
from onegrid.db.inserts import insert_many

MAX_WORDS = 8  # of a query: more narrow nothing worth the index's time
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: what FTS5's unicode61 and PostgreSQL keep


@cache
def _segmenter():
    # rjieba: jieba's algorithm and dictionary in Rust (jieba-rs), the same words as jieba
    # 0.42.1 (HMM off) ten times faster; its dictionary is loaded on import (0.1 s).
    import rjieba

    return rjieba


def warm() -> None:
    """Loads the segmenter's dictionary now (the server's start), not in the first report's
    request."""
    _segmenter()


def words(text: str | None) -> list[str]:
    """Returns the words of the text as the index holds them: jieba's words for search (a long
    word also as its shorter words), lowercased, punctuation left out."""
    if not text:
        return []
    found: list[str] = []
    for token in _segmenter().cut_for_search(text, hmm=False):
        found.extend(_TOKEN.findall(token.lower()))
    return found


def indexed(description: str | None, address: str | None) -> str:
    """Returns the text case_text holds for a case with this description and address."""
    return " ".join(words(description) + words(address))


def query_words(query: str) -> list[str]:
    """Returns the words a query looks for: cut as the text was, each once, at most MAX_WORDS."""
    found: list[str] = []
    for token in _segmenter().cut(query, hmm=False):
        for word in _TOKEN.findall(token.lower()):
            if word not in found:
                found.append(word)
    return found[:MAX_WORDS]


def matching(query: str, open_only: bool = False) -> ColumnElement[bool]:
    """Returns the SQL condition keeping the cases whose description or address hold every word
    of the query (as a word or the start of one); a query of no word (punctuation): none.

    `open_only`: the caller keeps only open cases anyway (cases.models.OPEN), so SQLite may ask
    the index of the open cases' words alone (migration 0021): a few thousand cases, where a
    common word lists a year's in the index of every case."""
    found = query_words(query)
    if not found:
        return Case.id.is_(None)
    return _HoldsOpen(found) if open_only else _Holds(found)


class _Holds(ColumnElement[bool]):
    """The case holds these words: each store's index asked its own way (compiled below)."""

    type = Boolean()
    inherit_cache = False  # the words are in the statement's text, not in a bound parameter
    _is_implicitly_boolean = True  # an IN: no "= 1" after it on SQLite (the planner's IN)

    def __init__(self, found: list[str]) -> None:
        self.found = found


class _HoldsOpen(_Holds):
    """An open case holds these words: on SQLite, asked of the open cases' index."""

    inherit_cache = False


def _fts5_ids(fts: str, found: list[str], exact: bool = False) -> Select:
    """The ids (rowids) SQLite's FTS5 table `fts` lists for these words (`exact`: as whole
    words alone, not as the start of longer ones)."""
    ids = select(literal_column("rowid")).select_from(text(fts))
    return ids.where(literal_column(fts).op("MATCH")(fts_query(found, prefix=not exact)))


def _tsvector_ids(found: list[str]) -> Select:
    """The ids PostgreSQL's GIN index on case_text's tsvector lists for these words."""
    simple = literal_column("'simple'")
    vector = func.to_tsvector(simple, CaseText.words)
    return select(CaseText.case_id).where(vector.op("@@")(func.to_tsquery(simple, ts_query(found))))


def _fts5_holds(fts: str, element: _Holds, compiler, **kw) -> str:
    return compiler.process(Case.id.in_(_fts5_ids(fts, element.found)), **kw)


@compiles(_Holds)
def _in_fts5(element: _Holds, compiler, **kw) -> str:
    return _fts5_holds("case_text_fts", element, compiler, **kw)


@compiles(_HoldsOpen)
def _in_open_fts5(element: _HoldsOpen, compiler, **kw) -> str:
    return _fts5_holds("case_text_fts_open", element, compiler, **kw)


@compiles(_HoldsOpen, "postgresql")
@compiles(_Holds, "postgresql")
def _in_tsvector(element: _Holds, compiler, **kw) -> str:
    return compiler.process(Case.id.in_(_tsvector_ids(element.found)), **kw)


def holds(text: str, found: list[str]) -> bool:
    """Returns whether case_text's words (text) hold every word found (query_words), each as a
    word or the start of one: what the index answers, for a case whose words are already read
    (the console tests the newest candidates so before it asks the index; cases/queue.py)."""
    # The words are joined by single spaces: a word starts where the text or a space does.
    spaced = " " + text
    return all(" " + word in spaced for word in found)


def count_at_most(session: Session, cases: Select, found: list[str], most: int) -> int:
    """Returns how many of these cases (a select of Case.id) hold the words, counting no more
    than `most`: on SQLite the index's list read in its order (newest id first), each entry
    looked up, stopping at `most` (a word most cases hold stops at once) — the words as
    themselves first (their lists are read as they go, where a prefix's are merged whole
    first), which, reaching `most`, is the answer; elsewhere the index's condition with a
    limit."""
    if session.get_bind().dialect.name != "sqlite":
        held = cases.where(_Holds(found))
        return session.scalar(select(func.count()).select_from(held.limit(most).subquery())) or 0
    fts = table("case_text_fts", column("rowid"))
    counted = 0
    for prefix in (False, True):
        held = (
            cases.join(fts, fts.c.rowid == Case.id)
            .where(literal_column("case_text_fts").op("MATCH")(fts_query(found, prefix)))
            .order_by(fts.c.rowid.desc())
        )
        counted = session.scalar(select(func.count()).select_from(held.limit(most).subquery()))
        if counted >= most:
            break
    return counted or 0


def few_holding(session: Session, found: list[str], most: int) -> list[int] | None:
    """Returns the ids of the cases holding these words when at most `most` cases do (None:
    more), from the index's list alone. On SQLite each word is first counted as itself, without
    the longer words it starts (for a word of three characters or more FTS5 reads all their
    lists whole before its first row: a common word's, tens of ms): words each held as
    themselves by more than `most` cases are held by more than `most` cases."""
    if session.get_bind().dialect.name == "sqlite":
        if all(_listed(session, _fts5_ids("case_text_fts", [w], exact=True), most) for w in found):
            return None
        ids = _fts5_ids("case_text_fts", found)
    else:
        ids = _tsvector_ids(found)
    held = list(session.scalars(ids.limit(most + 1)))
    return held if len(held) <= most else None


def _listed(session: Session, ids: Select, most: int) -> bool:
    """Whether the index lists more than `most` of these ids (it stops reading there)."""
    counted = select(func.count()).select_from(ids.limit(most + 1).subquery())
    return (session.scalar(counted) or 0) > most


def fts_query(found: list[str], prefix: bool = True) -> str:
    """Returns the FTS5 query for these words: each a quoted prefix (or whole word), all of
    them required."""
    star = "*" if prefix else ""
    return " AND ".join('"' + w.replace('"', '""') + '"' + star for w in found)


def ts_query(found: list[str]) -> str:
    """Returns the PostgreSQL tsquery text for these words: each a quoted prefix, all required."""
    return " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in found)


def rows_for(cases: Iterable[tuple[int, str, str | None, str | None]]) -> list[dict]:
    """Returns case_text rows for (id, district_code, description, address) tuples."""
    return [
        {"case_id": i, "district_code": d, "words": indexed(desc, addr)}
        for i, d, desc, addr in cases
    ]


def add(session: Session, rows: list[dict]) -> None:
    """Stores case_text rows (from rows_for) in the session's transaction."""
    insert_many(session, CaseText.__table__, rows)


def reindex(session: Session, batch: int = 5000) -> int:
    """Segments every case's text again into case_text (and so the index); returns how many."""
    session.execute(CaseText.__table__.delete())
    done, last = 0, 0
    while True:
        query = (
            select(Case.id, Case.district_code, Case.description, Case.address)
            .where(Case.id > last)
            .order_by(Case.id)
            .limit(batch)
        )
        found = list(session.execute(query))
        if not found:
            return done
        add(session, rows_for(found))
        done += len(found)
        last = found[-1][0]


__all__ = ["add", "holds", "indexed", "matching", "query_words", "reindex", "rows_for", "words"]
