"""The demo's employment ledgers at seed 003's figures: 3,225 enterprises paid ¥24.11M of 稳岗
subsidies keeping 75,000 jobs; ¥310M of start-up guarantee loans creating 1,799 jobs.
Deterministic, every entry labelled demo, written in bulk."""

from datetime import date

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from onegrid.core.credit_code import credit_check_character
from onegrid.core.levels import Level
from onegrid.core.pii import id_check_character, mask_name
from onegrid.demo.people import NameMaker
from onegrid.demo.shares import allocate
from onegrid.employment.models import EntryKind, StartupLoan, SubsidyEntry
from onegrid.territory.models import TerritoryUnit

ENTERPRISES = 3225
SUBSIDY_FEN = 24_110_000 * 100
JOBS_KEPT = 75_000
LOANS = 1240  # the seed gives the amount and the jobs, not the count: ¥250,000 on average
LOAN_FEN = 310_000_000 * 100
JOBS_CREATED = 1799
YEAR, MONTHS = 2026, 11  # January to November: the year so far
SEED = 210104 + 5
_TRADES = ("机械", "商贸", "餐饮", "物流", "科技", "建材", "服装", "印刷", "食品", "医药")
# 30 × 11 × 10 names: each enterprise its own.
_PLACES = tuple(dict.fromkeys("大东北华长安万泉津桥新光文化联合站辽沈小河沿前进上园二台子八王寺"))
_WORDS = ("东盛", "华泰", "鑫源", "恒通", "新兴", "德利", "宏达", "嘉禾", "万隆", "金桥", "永安")


def clear(session: Session, district_code: str) -> None:
    """Deletes the district's employment entries (reversals before the payments they name)."""
    session.execute(
        delete(SubsidyEntry).where(
            SubsidyEntry.district_code == district_code,
            SubsidyEntry.kind == EntryKind.REVERSAL.value,
        )
    )
    for table in (SubsidyEntry, StartupLoan):
        session.execute(delete(table).where(table.district_code == district_code))


def _id_number(rng: np.random.Generator, district_code: str) -> str:
    born = date(1970, 1, 1).toordinal() + int(rng.integers(0, 365 * 33))
    first17 = f"{district_code}{date.fromordinal(born):%Y%m%d}{int(rng.integers(1000)):03d}"
    return first17 + id_check_character(first17)


def build_ledgers(session: Session, district_code: str) -> tuple[int, int]:
    """Writes the demo's subsidy payments and loans; returns how many of each."""
    rng = np.random.default_rng(SEED)
    streets = list(
        session.scalars(
            select(TerritoryUnit.code)
            .where(
                TerritoryUnit.district_code == district_code,
                TerritoryUnit.level == Level.STREET.value,
            )
            .order_by(TerritoryUnit.code)
        )
    )
    months = [f"{YEAR}-{m:02d}" for m in range(1, MONTHS + 1)]
    amounts = allocate(list(rng.lognormal(0, 0.8, ENTERPRISES)), SUBSIDY_FEN, 100_000)
    jobs = allocate(list(rng.lognormal(0, 0.8, ENTERPRISES)), JOBS_KEPT, 1)
    payments = []
    for i in range(ENTERPRISES):
        period = months[int(rng.integers(MONTHS))]
        first17 = f"91{district_code}MA{i:07d}"
        word, trade = _WORDS[i % len(_WORDS)], _TRADES[(i // len(_WORDS)) % len(_TRADES)]
        place = _PLACES[i // (len(_WORDS) * len(_TRADES))]
        name = f"沈阳{place}{word}{trade}有限公司"
        payments.append(
            {
                "district_code": district_code,
                "street_code": streets[int(rng.integers(len(streets)))],
                "enterprise_name": name,
                "credit_code": first17 + credit_check_character(first17),
                "period": period,
                "attempt": 0,
                "kind": EntryKind.PAYMENT.value,
                "amount_fen": amounts[i],
                "jobs_kept": jobs[i],
                "paid_at": date(YEAR, int(period[5:]), 20),
                "recorded_by": "demo",
                "is_demo": True,
            }
        )
    session.execute(insert(SubsidyEntry), payments)
    names = NameMaker(rng)
    lent = allocate(list(rng.uniform(0.5, 1.5, LOANS)), LOAN_FEN // 1000_00, 50)
    created = allocate(list(rng.uniform(0, 1, LOANS)), JOBS_CREATED, 0)
    loans = []
    for i in range(LOANS):
        granted = date(YEAR, int(rng.integers(1, MONTHS + 1)), int(rng.integers(1, 29)))
        name = names.name()
        loans.append(
            {
                "district_code": district_code,
                "street_code": streets[int(rng.integers(len(streets)))],
                "borrower_name": mask_name(name),
                "sealed_borrower_name": name,
                "id_number": _id_number(rng, district_code),
                "amount_fen": lent[i] * 1000_00,  # whole thousands of yuan
                "jobs_created": created[i],
                "granted_at": granted,
                "month": f"{granted:%Y-%m}",
                "recorded_by": "demo",
                "is_demo": True,
            }
        )
    session.execute(insert(StartupLoan), loans)
    return len(payments), len(loans)
