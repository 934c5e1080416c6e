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
    return _REGISTER_OF.get(channel, Register.CITIZEN)


def describe(
    rng: random.Random, topic: Topic, place: Place, register: Register | None = None
) -> tuple[str, str]:
    """Returns a report's (description, address): what, where, how bad, since when."""
    register = register or _one(rng, _REGISTERS)
    words = _words(topic)
    what = _one(rng, words.what)
    address, wheres = _address(rng, place)
    where = _one(rng, wheres) if rng.random() < words.place_odds else ""
    if not where and words.place_odds < 0.5 and rng.random() < 0.7:  # who is asking
        what = f"{_home(rng, place)}，{what}"
    if register is _HOTLINE:
        text = _hotline(rng, words, place, what, where)
    elif register is _PATROL:
        text = _patrol(rng, words, place, what, where)
    else:
        text = _citizen(rng, words, what, where)
    if rng.random() < _TYPO_ODDS[register]:
        text = _typo(rng, text)
    if len(text) > MAX_LENGTH:
        text = f"{where}{what}。"[:MAX_LENGTH]
    if len(text) < MIN_LENGTH:
        text = f"{text.rstrip('。！')}，{_one(rng, _SINCE)}，{_one(rng, _ASK)}。"
    return text, address


@dataclass(frozen=True)
class _Words:
    what: tuple[str, ...]
    bad: tuple[str, ...]
    place_odds: float


_HOTLINE, _PATROL = Register.HOTLINE, Register.PATROL  # an enum's members are slow to look up
_REGISTERS = tuple(Register)
_REGISTER_OF = {"hotline": Register.HOTLINE, "grid_worker": Register.PATROL}
_TYPO_ODDS = {Register.CITIZEN: 0.08, Register.HOTLINE: 0.02, Register.PATROL: 0.04}
_SINCE = tuple(phrases.SINCE.split("|"))
_SINCE_HOTLINE = ("已持续数日", "自昨晚开始", "已有一周左右", "今早发现", "已半月有余", "近两天")
_ASK = tuple(phrases.ASK.split("|"))
_OPEN = tuple(phrases.HOTLINE_OPEN.split("|"))
_CLOSE = tuple(phrases.HOTLINE_CLOSE.split("|"))
_SPOTS = tuple(phrases.SPOTS.split("|"))
_GREETING = ("", "", "", "你好，", "您好，", "我要反映个事，", "麻烦问一下，")
_ENDS = ("。", "！", "", "。")
_PATROL_TAIL = ("已拍照", "已拍照上报", "需处置", "现场已核实", "已告知物业", "")
_VISIT = ("走访时居民反映：", "入户走访，居民称")
_WHO = ("老人", "居民", "住户", "低保户", "租户")


def _one(rng: random.Random, choices: tuple[str, ...]) -> str:
    # random.choice's exact integer draw costs four times this; an even pick is all we need
    return choices[int(rng.random() * len(choices))]


def _number(rng: random.Random, top: int) -> int:
    return 1 + int(rng.random() * top)


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


def _address(rng: random.Random, place: Place) -> tuple[str, tuple[str, ...]]:
    """The address, and the ways a report may say where that is."""
    head = f"{CITY}{place.street}"
    road, other = place.roads
    spot = _one(rng, _SPOTS)
    if place.village:
        group = _number(rng, 9)
        return (
            f"{head}{place.community}{group}组{_number(rng, 80)}号",
            (f"{place.community}{group}组", "村口", "村委会旁边", f"{road}边上"),
        )
    n = rng.random()
    if n < 0.45:
        building, unit = _number(rng, 30), _number(rng, 6)
        return (
            f"{head}{place.community}{place.estate}{building}号楼{unit}单元",
            (
                f"{place.estate}{building}号楼{unit}单元楼下",
                f"{place.estate}门口",
                f"{place.estate}院里",
            ),
        )
    if n < 0.85:
        return (
            f"{head}{road}{_number(rng, 320)}号（{place.community}）",
            (f"{road}公交站旁边", f"{road}{spot}", spot),
        )
    return (
        f"{head}{road}与{other}交叉口（{place.community}）",
        (f"{road}和{other}路口", f"{road}{other}交叉口", "路口"),
    )


def _home(rng: random.Random, place: Place) -> str:
    n = rng.random()
    if n < 0.4:
        return f"家住{place.estate}{'' if place.village else f'{_number(rng, 30)}号楼'}"
    if n < 0.7:
        return f"我是{place.community}居民"
    return f"{place.community}的{_one(rng, _WHO)}"


def _citizen(rng: random.Random, words: _Words, what: str, where: str) -> str:
    clauses = [f"{where}{what}" if where and rng.random() < 0.7 else what]
    if where and where not in clauses[0]:
        clauses.append(f"就在{where}")
    if rng.random() < 0.65:
        clauses.append(_one(rng, _SINCE))
    if rng.random() < 0.55:
        clauses.append(_one(rng, words.bad))
    if rng.random() < 0.5:
        clauses.append(_one(rng, _ASK))
    return _one(rng, _GREETING) + "，".join(clauses) + _one(rng, _ENDS)


def _hotline(rng: random.Random, words: _Words, place: Place, what: str, where: str) -> str:
    at = _one(rng, (place.community, place.roads[0], f"{place.street}{place.community}"))
    if place.village:  # a village is named, not a road through it
        at = place.community
    if where.startswith((place.roads[0], place.estate, place.community)):  # not "东望街东望街…"
        at = "" if where.startswith(place.community) else place.community
    clauses = [f"{at}{where}{what}"]
    if rng.random() < 0.6:
        clauses.append(_one(rng, _SINCE_HOTLINE))
    if rng.random() < 0.5:
        clauses.append(_one(rng, words.bad))
    return _one(rng, _OPEN) + "，".join(clauses) + "，" + _one(rng, _CLOSE)


def _patrol(rng: random.Random, words: _Words, place: Place, what: str, where: str) -> str:
    n = rng.random()
    tail = _one(rng, _PATROL_TAIL)
    tail = f"，{tail}。" if tail else "。"
    if words.place_odds < 0.5:  # a wage dispute or an enquiry: heard on a home visit
        return f"{_one(rng, _VISIT)}{what}{tail}"
    if n < 0.35:
        return f"巡查发现：{where}{what}{tail}"
    if n < 0.6:
        return f"{place.community}{place.roads[0]}，{what}{tail}"
    if n < 0.8:
        return f"今日巡查，{where or place.roads[0]}{what}，{_one(rng, words.bad)}{tail}"
    return f"{what}（{where or place.roads[0]}）{tail}"


def _typo(rng: random.Random, text: str) -> str:
    for _ in range(3):
        right, wrong = phrases.TYPOS[int(rng.random() * len(phrases.TYPOS))]
        if right in text:
            return text.replace(right, wrong, 1)
    return text
