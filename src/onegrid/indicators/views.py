"""Indicators API: rates by territory, department or category and by period; their definitions."""

from typing import Annotated

from fastapi import APIRouter, Query

from onegrid.cases.models import Channel
from onegrid.core.access import public, require
from onegrid.core.inputs import Day
from onegrid.core.permissions import Permission, Principal
from onegrid.db import DbSession
from onegrid.indicators import queries
from onegrid.indicators.definitions import COUNTS, INDICATORS, formula
from onegrid.indicators.queries import GroupBy, Period
from onegrid.indicators.schemas import (
    CountOut,
    DefinitionOut,
    DefinitionsOut,
    GroupOut,
    IndicatorsOut,
    TermOut,
    ValueOut,
)

router = APIRouter(tags=["indicators"])
Reader = Annotated[Principal, require(Permission.CASES_READ)]
Anyone = Annotated[Principal, public()]


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Indicators of the cases in your scope, per group and period (by intake day)",
)
def indicators(
    session: DbSession,
    who: Reader,
    by: GroupBy = GroupBy.NONE,
    period: Period = Period.ALL,
    since: Annotated[Day | None, Query(description="first intake day, local time")] = None,
    until: Annotated[Day | None, Query(description="last intake day, included")] = None,
    channel: Channel | None = None,
    category: Annotated[str | None, Query(max_length=16, examples=["0101"])] = None,
) -> IndicatorsOut:
    rows = queries.indicators(
        session=session,
        scope=who.scope,
        by=by,
        period=period,
        since=since,
        until=until,
        channel=channel.value if channel else None,
        category_code=category,
    )
    names = queries.labels(session=session, scope=who.scope, by=by, keys={r.key for r in rows})
    groups = []
    for row in rows:
        label = names.get(row.key)
        if label is None and by is not GroupBy.NONE:
            label = queries.Label(code=str(row.key), name=None, name_en=None)
        groups.append(
            GroupOut(
                key=label.code if label else None,
                name=label.name if label else None,
                name_en=label.name_en if label else None,
                period=row.period,
                counts=row.counts,
                indicators={
                    code: ValueOut(value=v.value, numerator=v.numerator, denominator=v.denominator)
                    for code, v in row.values.items()
                },
            )
        )
    return IndicatorsOut(
        by=by,
        period=period,
        since=since,
        until=until,
        channel=channel.value if channel else None,
        category=category,
        groups=groups,
    )


@router.get(
    "/indicators/definitions",
    response_model=DefinitionsOut,
    summary="What each indicator and count means (zh and en)",
)
def definitions(who: Anyone) -> DefinitionsOut:
    return DefinitionsOut(
        indicators=[
            DefinitionOut(
                code=i.code,
                name=i.zh,
                name_en=i.en,
                section=i.section,
                formula=formula(i),
                numerator=[TermOut(count=f, coefficient=c) for f, c in i.numerator],
                denominator=[TermOut(count=f, coefficient=c) for f, c in i.denominator],
                channel=i.channel,
                about=i.about_zh,
                about_en=i.about_en,
            )
            for i in INDICATORS
        ],
        counts=[CountOut(code=code, name=zh, name_en=en) for code, (zh, en) in COUNTS.items()],
    )
