"""(i) The console's server time on a year of cases: each queue, each filter, and the search in
Chinese with each filter, against a naive LIKE scan of the same store.

Each page is asked for as the command centre asks for it (signed in through the sign-in form,
the whole ASGI stack in-process, as bench.pages does) on a copy of the store `onegrid import
cases` filled (100,000 cases quick, 1,000,000 full): `/console?queue=…` for every queue, the
largest queue ("all", newest first) and the handling queue with each filter, and the search,
alone and with each filter, for two words taken from the store: the most frequent word of the
cases' text (the search that matches the most) and one in about 1 case of 1,000.

The baseline, in the same run on the same store: the search as it is done without an index,
`description LIKE '%word%' OR address LIKE '%word%'`, newest first, 50 rows (SQL alone, no page
around it), for the same two words.
"""

import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import Figure, Scale, percentile
from bench.exports import copied_store
from bench.pages import app_on, p95_ms
from bench.stores import sqlite_url
from onegrid.cases.models import Case, CaseText
from onegrid.cases.queue import Queue
from onegrid.db.engine import create_db_engine

SIZES = {Scale.SMOKE: 2_000, Scale.QUICK: 100_000, Scale.FULL: 1_000_000}
RUNS = {Scale.SMOKE: 2, Scale.QUICK: 10, Scale.FULL: 10}
LIKE_RUNS = {Scale.SMOKE: 2, Scale.QUICK: 5, Scale.FULL: 5}
PAGE_MS, SEARCH_MS = 150, 200
SAMPLE = 20_000  # cases whose words are counted to choose the two search words
USER = "command"


def _busiest(session: Session, column) -> str:
    query = select(column).group_by(column).order_by(func.count().desc()).limit(1)
    return str(session.scalar(query))


def prepare(url: str) -> tuple[dict[str, str], list[str]]:
    """Returns the filters to time (each with the store's most frequent value) and the two
    search words (the most frequent word; one in about a thousandth of the cases)."""
    engine = create_db_engine(url)
    with Session(engine) as session:
        grid = _busiest(session, Case.grid_code)
        filters = {
            "street": grid[:9],
            "community": grid[:12],
            "grid": grid,
            "category": _busiest(session, Case.category_code),
            "department": _busiest(session, Case.department_id),
            "channel": _busiest(session, Case.channel),
            "light": "red",
            "light_green": "green",
            "received": _received_week(session),
        }
        texts = session.scalars(select(CaseText.words).order_by(CaseText.case_id).limit(SAMPLE))
        counts = Counter(w for text in texts for w in set(text.split()) if len(w) >= 2)
    engine.dispose()
    if not counts:
        raise RuntimeError("the store's cases hold no words to search for")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))  # ties: by the word
    common = ranked[0][0]
    rare_target = max(1, SAMPLE // 1000)
    rare = min(ranked, key=lambda item: (abs(item[1] - rare_target), item[0]))[0]
    return filters, [common, rare]


def _received_week(session: Session) -> str:
    """The last week of cases received: "first:last" days."""
    last = session.scalar(select(func.max(Case.received_at))).date()
    return f"{(last - timedelta(days=6)).isoformat()}:{last.isoformat()}"


def _params(name: str, value: str) -> str:
    if name == "received":
        start, end = value.split(":")
        return f"received_from={start}&received_to={end}"
    return f"{name.removesuffix('_green')}={value}"


def like_p95_ms(path: Path, word: str, runs: int) -> float:
    """The naive search's time: a LIKE over every case's text, newest first, 50 rows."""
    connection = sqlite3.connect(path)
    query = (
        "SELECT id FROM case_record WHERE description LIKE ? OR address LIKE ? "
        "ORDER BY received_at DESC, id DESC LIMIT 50"
    )
    pattern = f"%{word}%"
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            connection.execute(query, (pattern, pattern)).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
    return percentile(times, 95)


def run(scale: Scale, workdir: Path) -> list[Figure]:
    count = SIZES[scale]
    store = workdir / "console.db"
    # 1M: the imported 100k and nine copies of its cases and their words (as (h) does).
    copied_store(count, SIZES[Scale.QUICK], store, texts=True)
    url = sqlite_url(store)
    filters, words = prepare(url)
    runs = RUNS[scale]
    pages: list[tuple[str, str]] = [(f"queue {q.value}", f"queue={q.value}") for q in Queue]
    for queue in ("all", "handle"):
        for name, value in filters.items():
            pages.append((f"{queue} + {name}", f"queue={queue}&{_params(name, value)}"))
    searches: list[tuple[str, str]] = []
    for word in words:
        searches.append((f"search {word}", f"queue=all&q={word}"))
        for name, value in filters.items():
            searches.append(
                (f"search {word} + {name}", f"queue=all&q={word}&{_params(name, value)}")
            )
        searches.append((f"search {word} in handle", f"queue=handle&q={word}"))
    with app_on(url) as client:
        command = client(USER)
        timed = {}
        for name, query in pages + searches:
            path = f"/console?{query}"
            p95_ms(command, path, 2)  # warm: templates, caches, the pages of the store
            timed[name] = p95_ms(command, path, runs)
    like = {word: like_p95_ms(store, word, LIKE_RUNS[scale]) for word in words}
    page_names = [name for name, _ in pages]
    search_names = [name for name, _ in searches]
    worst_page = max(page_names, key=timed.get)
    worst_search = max(search_names, key=timed.get)
    baseline = max(like.values())
    like_note = ", ".join(f"LIKE '%{w}%' {ms:.0f} ms" for w, ms in like.items())
    return [
        Figure(
            bench="console",
            name=f"console pages' server time, worst p95 of {len(pages)}, {count:,} cases",
            value=timed[worst_page],
            unit="ms",
            baseline="a naive LIKE '%word%' scan of the same store (newest 50), p95",
            baseline_value=baseline,
            target=f"≤ {PAGE_MS} ms p95",
            met=timed[worst_page] <= PAGE_MS,
            note=f"worst: {worst_page}; "
            + "; ".join(f"{n} {timed[n]:.1f}" for n in page_names)
            + f"; {runs} runs each",
        ),
        Figure(
            bench="console",
            name=f"console search with any filter, worst p95 of {len(searches)}, {count:,} cases",
            value=timed[worst_search],
            unit="ms",
            baseline="a naive LIKE '%word%' scan of the same store (newest 50), p95",
            baseline_value=baseline,
            target=f"≤ {SEARCH_MS} ms p95",
            met=timed[worst_search] <= SEARCH_MS,
            note=f"words {words[0]} (most frequent), {words[1]} (about 1 in 1,000); "
            f"worst: {worst_search}; {like_note}; "
            + "; ".join(f"{n} {timed[n]:.1f}" for n in search_names),
        ),
    ]
