"""The demo's reports read as people write them, and still tell their category."""

import csv
import random
import re
from collections import Counter
from datetime import UTC, date, datetime
from importlib.resources import files
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select

from onegrid.cases.models import Case
from onegrid.demo.build import load_divisions, short_name
from onegrid.demo.history import Pickers, day_of_cases, generate
from onegrid.demo.reports import Place, Register, Topic, describe

CATALOGUE = list(
    csv.DictReader(
        files("onegrid.routing").joinpath("data/categories.csv").read_text("utf-8").splitlines()
    )
)
TOPICS = [
    Topic(r["code"], r["name"], r["major_code"], tuple(r["keywords"].split(","))) for r in CATALOGUE
]
PLACES = [
    Place.of("大北街道", "华炉社区", "210104002009001"),
    Place.of("东站街道", "龙湖社区", "210104011001004"),
    Place.of("二台子街道", "东山村村民委员会", "210104020200002"),
]
PHONE = re.compile(r"1[3-9][0-9]{9}|[0-9]{7,}")  # a mobile, or any run a landline could be
# Homophones typed by mistake, that the right text never holds.
TYPED_WRONG = (
    "反应",
    "利害",
    "处里",
    "砍砍",
    "好机",
    "拉圾",
    "影像",
    "麻凡",
    "们口",
    "隐换",
    "旁变",
)
TYPED_WRONG += ("楼吓", "实间", "小去", "路扣", "一只")


def reports(seed: int, topic: Topic, count: int, register: Register | None = None):
    rng = random.Random(seed)
    return [describe(rng, topic, PLACES[i % len(PLACES)], register) for i in range(count)]


def test_the_same_seed_writes_the_same_reports_and_another_seed_others():
    topic = TOPICS[0]
    assert reports(5, topic, 200) == reports(5, topic, 200)
    assert len(set(reports(5, topic, 200)) & set(reports(6, topic, 200))) < 20


@pytest.mark.parametrize("topic", TOPICS, ids=[t.code for t in TOPICS])
def test_each_category_is_told_in_many_ways_and_in_its_own_words(topic):
    texts = [text for text, _ in reports(21, topic, 1000)]
    assert len(set(texts)) >= 800  # at least 80% distinct
    # A classifier can learn it: most texts carry one of the catalogue's keywords ...
    with_keyword = sum(any(k in text for k in topic.keywords) for text in texts)
    assert with_keyword >= 600, (with_keyword, Counter(texts).most_common(3))
    # ... but people do not recite the category's name.
    assert sum(topic.name in text for text in texts) < 900
    assert all(10 <= len(text) <= 120 for text in texts)
    assert not any(PHONE.search(text) for text in texts)


def test_the_three_registers_sound_like_a_citizen_an_operator_and_a_grid_worker():
    topic = next(t for t in TOPICS if t.name == "路灯不亮")
    hotline = [text for text, _ in reports(3, topic, 300, Register.HOTLINE)]
    patrol = [text for text, _ in reports(3, topic, 300, Register.PATROL)]
    citizen = [text for text, _ in reports(3, topic, 300, Register.CITIZEN)]
    assert all("来电" in text and text.endswith("。") for text in hotline)
    assert sum("巡查" in text for text in patrol) > 100
    assert not any("来电" in text or "巡查" in text for text in citizen)
    # Citizens write longer than grid workers, and sometimes type a homophone by mistake.
    assert np.mean([len(t) for t in citizen]) > np.mean([len(t) for t in patrol])
    every = [text for t in TOPICS for text, _ in reports(8, t, 100, Register.CITIZEN)]
    wrong = sum(any(w in text for w in TYPED_WRONG) for text in every)
    assert 0.02 * len(every) < wrong < 0.15 * len(every), wrong


def test_a_report_says_where_in_the_street_and_community_of_its_place():
    for topic in TOPICS[::7]:
        for address, place in zip((a for _, a in reports(9, topic, 60)), PLACES * 20, strict=True):
            assert address.startswith(f"沈阳市大东区{place.street}")
            assert place.community in address and len(address) <= 200
            assert not PHONE.search(address)
    # A village's address is its 组, a community's a road or an estate's building.
    assert PLACES[2].community == "东山村"
    assert re.fullmatch(
        r"沈阳市大东区二台子街道东山村[0-9]组[0-9]+号", reports(1, TOPICS[0], 3)[2][1]
    )


def test_the_demo_history_writes_them_with_the_cases_own_street_and_community(session):
    generate(session, district_code="210104", days=1, end=date(2026, 3, 4), per_day=300, seed=4)
    names = {d.code: short_name(d.name) for d in load_divisions()}
    cases = session.scalars(select(Case)).all()
    assert len(cases) > 200
    for case in cases:
        street, community = names[case.grid_code[:9]], names[case.grid_code[:12]]
        assert case.address.startswith(f"沈阳市大东区{street}") and community in case.address
        assert 10 <= len(case.description) <= 120 and "demo" not in case.description
        # Nothing personal was written, so nothing was masked or sealed.
        assert not PHONE.search(case.description) and not PHONE.search(case.address)
        assert case.sealed_description is None and case.sealed_address is None
    assert len({c.description for c in cases}) > 0.95 * len(cases)
    by_channel = {
        channel: [c.description for c in cases if c.channel == channel]
        for channel in ("hotline", "grid_worker")
    }
    assert all("来电" in text for text in by_channel["hotline"])
    assert sum("巡查" in t or "走访" in t for t in by_channel["grid_worker"]) > 0.5 * len(
        by_channel["grid_worker"]
    )


def test_a_days_texts_do_not_change_the_days_cases(session):
    present = datetime(2026, 3, 5, tzinfo=UTC)
    zone = ZoneInfo("Asia/Shanghai")

    def day(text_seed: int):
        pick = Pickers(session, "210104", np.random.default_rng(11), seed=text_seed)
        return day_of_cases(pick, date(2026, 3, 4), zone, 200, present, 1)

    first, again, other = day(1), day(1), day(2)
    assert [r.report for r in first] == [r.report for r in again]
    assert [(r.report.category_code, r.report.lon, r.received_at, r.steps) for r in first] == [
        (r.report.category_code, r.report.lon, r.received_at, r.steps) for r in other
    ]
    assert (
        sum(a.report.description != b.report.description for a, b in zip(first, other, strict=True))
        > 150
    )
