"""The demo's reports as people write them: a description and an address for each case.

A citizen types a colloquial line, a hotline operator writes a summary
("市民来电反映：…，请尽快处理。"), a grid worker a terse patrol note. Each says what is wrong
in the category's words (its keywords or their everyday synonyms, not always its name), and
often where, how bad and since when, with now and then a homophone typed by mistake. The
address is the case's own street and community in 大东区, with a road or an estate and a
number. Deterministic from the random.Random passed in; no phone or ID numbers are written.

    describe(random.Random(32), Topic("0107", "路灯不亮", "01", ("路灯", "不亮")),
             Place.of("大北街道", "华炉社区", "210104002009001"), Register.HOTLINE)
    → ("市民来电反映：华炉社区路灯不亮，自昨晚开始，老人孩子走这不安全，请尽快处理。",
       "沈阳市大东区大北街道华炉社区华炉小区2号楼5单元")
"""

import random
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from onegrid.demo import phrases

MIN_LENGTH, MAX_LENGTH = 10, 120
CITY = "沈阳市大东区"


class Register(StrEnum):
    CITIZEN = "citizen"  # the citizen's own words, on the app or the web
    HOTLINE = "hotline"  # the operator's summary of a call
    PATROL = "patrol"  # the grid worker's note


@dataclass(frozen=True)
class Topic:
    """A category as the reports need it: its code, name, major group and keywords."""

    code: str
    name: str
    major_code: str
    keywords: tuple[str, ...] = ()

    @classmethod
    def of(cls, category) -> "Topic":
        """The topic of a category row (onegrid.routing.models.Category or the catalogue's)."""
        words = tuple(w.strip() for w in (category.keywords or "").split(",") if w.strip())
        return cls(category.code, category.name, category.major_code, words)


@dataclass(frozen=True)
class Place:
    """Where a grid is: its street and community, and the roads and estate its reports name."""

    street: str
    community: str
    roads: tuple[str, str]
    estate: str
    village: bool

    @classmethod
    def of(cls, street: str, community: str, grid_code: str) -> "Place":
        """The place of a grid, the same for the same grid code."""
        community = short_name(community)
        pick = random.Random(grid_code)
        roads = phrases.ROADS.split("|")
        first, second = pick.sample(roads, 2)
        village = community.endswith("村")
        stem = community.removesuffix("社区")
        estate = stem if village else stem + pick.choice(phrases.ESTATE_SUFFIXES.split("|"))
        return cls(street, community, (first, second), estate, village)


def short_name(name: str) -> str:
    """Returns the everyday name of a community or village (社区居委会 → 社区, 村民委员会 → 村)."""
    for suffix, short in (("居民委员会", ""), ("居委会", ""), ("村民委员会", "村")):
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            return stem if stem.endswith(short) else stem + short
    return name


def register_of(channel: str) -> Register:
    """The register of a report that came in on this channel."""
    return {"hotline": Register.HOTLINE, "grid_worker": Register.PATROL}.get(
        channel, Register.CITIZEN
    )


def describe(
    rng: random.Random, topic: Topic, place: Place, register: Register | None = None
) -> tuple[str, str]:
    """Returns a report's (description, address): what, where, how bad, since when."""
    register = register or rng.choice(_REGISTERS)
    words = _words(topic)
    what = rng.choice(words.what)
    where = _where(rng, place) if rng.random() < words.place_odds else ""
    if not where and words.place_odds < 0.5 and rng.random() < 0.7:  # who is asking
        what = f"{_home(rng, place)}，{what}"
    if register is Register.HOTLINE:
        text = _hotline(rng, words, place, what, where)
    elif register is Register.PATROL:
        text = _patrol(rng, words, place, what, where)
    else:
        text = _citizen(rng, words, what, where)
    if rng.random() < _TYPO_ODDS[register]:
        text = _typo(rng, text)
    if len(text) > MAX_LENGTH:
        text = f"{where}{what}。"[:MAX_LENGTH]
    if len(text) < MIN_LENGTH:
        text = f"{text.rstrip('。！')}，{rng.choice(_SINCE)}，{rng.choice(_ASK)}。"
    return text, _address(rng, place)


@dataclass(frozen=True)
class _Words:
    what: tuple[str, ...]
    bad: tuple[str, ...]
    place_odds: float


_REGISTERS = tuple(Register)
_TYPO_ODDS = {Register.CITIZEN: 0.08, Register.HOTLINE: 0.02, Register.PATROL: 0.04}
_SINCE = tuple(phrases.SINCE.split("|"))
_SINCE_HOTLINE = ("已持续数日", "自昨晚开始", "已有一周左右", "今早发现", "已半月有余", "近两天")
_ASK = tuple(phrases.ASK.split("|"))
_OPEN = tuple(phrases.HOTLINE_OPEN.split("|"))
_CLOSE = tuple(phrases.HOTLINE_CLOSE.split("|"))
_SPOTS = tuple(phrases.SPOTS.split("|"))
_GREETING = ("", "", "", "你好，", "您好，", "我要反映个事，", "麻烦问一下，")
_PATROL_TAIL = ("已拍照", "已拍照上报", "需处置", "现场已核实", "已告知物业", "")


@cache
def _words(topic: Topic) -> _Words:
    said = phrases.WHAT.get(topic.code)
    if said:
        what = tuple(said[0].split("|"))
        own = tuple(said[1].split("|")) if said[1] else ()
    else:  # a category the phrase table does not know: its name and keywords
        what = (topic.name, *(f"{w}有问题" for w in topic.keywords[:4]))
        own = ()
    group = "component" if topic.major_code[:1].isdigit() else topic.major_code[:3]
    bad = own + tuple(phrases.BAD.get(group, phrases.BAD["E07"]).split("|"))
    return _Words(what, bad, 0.1 if topic.code in phrases.PLACELESS else 0.75)


def _where(rng: random.Random, place: Place) -> str:
    road, other = place.roads
    n = rng.random()
    if place.village:
        return (f"{place.estate}{rng.randint(1, 9)}组", "村口", "村委会旁边", f"{road}边上")[
            int(n * 4)
        ]
    if n < 0.25:
        return f"{place.estate}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元楼下"
    if n < 0.4:
        return f"{place.estate}门口"
    if n < 0.55:
        return f"{road}和{other}路口"
    if n < 0.7:
        return f"{road}公交站旁边"
    if n < 0.85:
        return f"{road}{rng.choice(_SPOTS)}"
    return rng.choice(_SPOTS)


def _home(rng: random.Random, place: Place) -> str:
    n = rng.random()
    if n < 0.4:
        return f"家住{place.estate}{'' if place.village else f'{rng.randint(1, 30)}号楼'}"
    if n < 0.7:
        return f"我是{place.community}居民"
    return f"{place.community}的{rng.choice(('老人', '居民', '住户', '低保户', '租户'))}"


def _citizen(rng: random.Random, words: _Words, what: str, where: str) -> str:
    clauses = [f"{where}{what}" if where and rng.random() < 0.7 else what]
    if where and where not in clauses[0]:
        clauses.append(f"就在{where}")
    if rng.random() < 0.65:
        clauses.append(rng.choice(_SINCE))
    if rng.random() < 0.55:
        clauses.append(rng.choice(words.bad))
    if rng.random() < 0.5:
        clauses.append(rng.choice(_ASK))
    end = rng.choice(("。", "！", "", "。"))
    return rng.choice(_GREETING) + "，".join(clauses) + end


def _hotline(rng: random.Random, words: _Words, place: Place, what: str, where: str) -> str:
    at = rng.choice((place.community, place.roads[0], f"{place.street}{place.community}"))
    if where.startswith((place.roads[0], place.estate)):  # not "东望街东望街公交站"
        at = place.community if not where.startswith(place.community) else ""
    clauses = [f"{at}{where}{what}"]
    if rng.random() < 0.6:
        clauses.append(rng.choice(_SINCE_HOTLINE))
    if rng.random() < 0.5:
        clauses.append(rng.choice(words.bad))
    return rng.choice(_OPEN) + "，".join(clauses) + "，" + rng.choice(_CLOSE)


def _patrol(rng: random.Random, words: _Words, place: Place, what: str, where: str) -> str:
    n = rng.random()
    tail = rng.choice(_PATROL_TAIL)
    tail = f"，{tail}。" if tail else "。"
    if words.place_odds < 0.5:  # a wage dispute or an enquiry: heard on a home visit
        return f"{rng.choice(('走访时居民反映：', '入户走访，居民称'))}{what}{tail}"
    if n < 0.35:
        return f"巡查发现：{where}{what}{tail}"
    if n < 0.6:
        return f"{place.community}{place.roads[0]}，{what}{tail}"
    if n < 0.8:
        return f"今日巡查，{where or place.roads[0]}{what}，{rng.choice(words.bad)}{tail}"
    return f"{what}（{where or place.roads[0]}）{tail}"


def _typo(rng: random.Random, text: str) -> str:
    for _ in range(3):
        right, wrong = rng.choice(phrases.TYPOS)
        if right in text:
            return text.replace(right, wrong, 1)
    return text


def _address(rng: random.Random, place: Place) -> str:
    head = f"{CITY}{place.street}"
    road, other = place.roads
    if place.village:
        return f"{head}{place.community}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
    n = rng.random()
    if n < 0.45:
        return (
            f"{head}{place.community}{place.estate}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
        )
    if n < 0.85:
        return f"{head}{road}{rng.randint(1, 320)}号（{place.community}）"
    return f"{head}{road}与{other}交叉口（{place.community}）"
