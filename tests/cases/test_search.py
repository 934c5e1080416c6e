"""Full-text search in Chinese (cases.search): words cut by jieba, found whole or by their start,
in the masked text only, kept in step by every intake path, rebuilt by `onegrid case reindex`."""

from datetime import UTC, datetime

from sqlalchemy import select

from onegrid.cases import intake, search
from onegrid.cases.models import Case, CaseText, Channel
from onegrid.core.permissions import operator
from tests.cases.conftest import report

WHEN = datetime(2031, 5, 6, 1, tzinfo=UTC)


def found(session, query: str) -> set[int]:
    return set(session.scalars(select(Case.id).where(search.matching(query))))


def test_words_are_cut_by_the_dictionary():
    assert search.words("井盖丢失，晚上很危险！") == ["井盖", "丢失", "晚上", "很", "危险"]
    assert search.query_words("井盖  丢失 井盖") == ["井盖", "丢失"]
    assert search.query_words("，。！") == []
    assert search.words("Road 12号") == ["road", "12", "号"]


def test_search_finds_whole_words_and_their_start_in_any_order(session, inside):
    manhole = report(
        session,
        inside,
        when=WHEN,
        description="小区门口井盖丢失，晚上很危险",
        address="大北街道北海街12号",
    )
    noise = report(session, inside, when=WHEN, description="楼下烧烤店噪音扰民到凌晨")
    assert found(session, "井盖") == {manhole.id}
    assert found(session, "丢失 井盖") == {manhole.id}  # any order
    assert found(session, "井") == {manhole.id}  # the start of a word
    assert found(session, "北海街") == {manhole.id}  # in the address
    assert found(session, "噪音") == {noise.id}
    assert found(session, "扰民 井盖") == set()  # every word must be there
    assert found(session, "井害") == set()  # a typo finds nothing rather than guessing
    assert found(session, "盖") == set()  # the middle of a word is not its start
    assert found(session, "！！") == set()


def test_only_the_masked_text_is_searched(session, inside):
    phone = "13912345678"
    case = report(session, inside, when=WHEN, description=f"路灯坏了，请打我电话 {phone}")
    assert phone not in case.description  # masked where everyone reads it
    assert found(session, phone) == set()
    assert found(session, "路灯") >= {case.id}


def test_a_group_intake_writes_the_words_with_the_cases(session, inside):
    entries = [
        intake.Entry(
            report=intake.Report(
                category_code="0107",
                lon=inside.x,
                lat=inside.y,
                channel=Channel.HOTLINE,
                description=f"第{n}处共享单车乱停放",
            ),
            who=operator("t"),
        )
        for n in range(3)
    ]
    opened = intake.intake_many(session, entries)
    ids = {o.case.id for o in opened}
    stored = dict(session.execute(select(CaseText.case_id, CaseText.words)).all())
    assert all("单车" in stored[i].split() for i in ids)
    assert found(session, "单车 乱停") >= ids


def test_reindex_rebuilds_the_words(session, inside):
    case = report(session, inside, when=WHEN, description="垃圾桶满了没人清理")
    session.execute(CaseText.__table__.delete())
    assert found(session, "垃圾桶") == set()
    assert search.reindex(session) >= 1
    assert found(session, "垃圾桶") == {case.id}
