"""Personal data typed into free text: found wherever it lies, masked in place, nothing else."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from onegrid.cases.intake import new_receipt
from onegrid.core.pii import PiiKind, find_personal, mask_name, mask_text, masked_and_original

# Text around a number: Chinese, letters and punctuation, never a digit (a digit touching a
# number makes it another, longer number).
CHINESE = "请联系我家楼下路灯坏了噪音扰民垃圾堆放小区门口井盖缺失谢谢网格员反映问题"
FILLER = st.text(alphabet=CHINESE + "abcXYZ，。：；！？、（） \n", max_size=30)
FULL_WIDTH = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})


def luhn_check_digit(body: str) -> str:
    """An independent Luhn: the digit that makes the doubled-every-second sum a multiple of 10."""
    total = 0
    for i, digit in enumerate(reversed(body)):
        value = int(digit) * (1 if i % 2 else 2)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def iso7064_check(first17: str) -> str:
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def hide(number: str, hidden: range | set[int]) -> str:
    """The number with its digits at these places among its digits (0-based) as stars."""
    out, n = [], 0
    for c in number:
        if c.isdigit() or c == "X":
            out.append("*" if n in hidden else c)
            n += 1
        else:
            out.append(c)
    return "".join(out)


DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=1)
BIRTH = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
AREA = st.sampled_from(["210104", "110105", "310115", "440305", "650102", "371202"])


@st.composite
def mobiles(draw) -> tuple[str, str]:
    number = draw(st.sampled_from("3456789")) + "".join(draw(DIGITS) for _ in range(9))
    number = "1" + number
    sep = draw(st.sampled_from(["", " ", "-"]))
    typed = f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86", "0086"]))
    full = prefix + typed
    return full, hide(full, range(len(prefix.strip("+ ")) + 3, len(prefix.strip("+ ")) + 7))


@st.composite
def id_numbers(draw) -> tuple[str, str]:
    first17 = f"{draw(AREA)}{draw(BIRTH):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    check = iso7064_check(first17)
    if draw(st.booleans()):  # a mistyped check character still names a person
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    number = first17 + check
    return number, hide(number, range(4, 14))


@st.composite
def legacy_ids(draw) -> tuple[str, str]:
    born = draw(st.dates(min_value=date(1910, 1, 1), max_value=date(1999, 12, 31)))
    number = f"{draw(AREA)}{born:%y%m%d}{draw(st.integers(0, 999)):03d}"
    return number, hide(number, range(4, 11))


@st.composite
def bank_cards(draw) -> tuple[str, str]:
    length = draw(st.sampled_from([16, 17, 18, 19]))
    body = draw(st.sampled_from(["62", "4", "5", "9"]))
    body += "".join(draw(DIGITS) for _ in range(length - 1 - len(body)))
    number = body + luhn_check_digit(body)
    if draw(st.booleans()):
        number = " ".join(number[i : i + 4] for i in range(0, length, 4))
    return number, hide(number, range(4, length - 4))


@st.composite
def landlines(draw) -> tuple[str, str]:
    area = draw(st.sampled_from(["010", "021", "024", "0411", "0755"]))
    local = draw(st.sampled_from("23456789")) + "".join(
        draw(DIGITS) for _ in range(draw(st.sampled_from([6, 7])))
    )
    extension = draw(st.sampled_from(["", "-12", "转803"]))
    sep = draw(st.sampled_from(["", "-", " "]))
    typed = f"{area}{sep}{local}{extension}"
    digits = len(area) + len(local) + sum(c.isdigit() for c in extension)
    hidden = set(range(len(area), len(area) + len(local) - 2))
    return typed, hide(typed, hidden | set(range(len(area) + len(local), digits)))


PERSONAL = st.one_of(mobiles(), id_numbers(), legacy_ids(), bank_cards(), landlines())


@settings(max_examples=400)
@given(before=FILLER, planted=PERSONAL, after=FILLER, full_width=st.booleans())
def test_a_number_planted_anywhere_comes_out_masked_and_nothing_else_changes(
    before, planted, after, full_width
):
    number, masked = planted
    if full_width:
        number, masked = number.translate(FULL_WIDTH), masked.translate(FULL_WIDTH)
    text = f"{before}{number}{after}"
    assert mask_text(text) == f"{before}{masked}{after}"
    assert len(mask_text(text)) == len(text)  # a column's length holds its masked text
    assert masked_and_original(text) == (f"{before}{masked}{after}", text)


@given(before=FILLER, one=PERSONAL, middle=FILLER, other=PERSONAL, after=FILLER)
def test_two_numbers_are_both_masked(before, one, middle, other, after):
    text = f"{before}{one[0]}{middle or '，'}{other[0]}{after}"
    assert mask_text(text) == f"{before}{one[1]}{middle or '，'}{other[1]}{after}"


def test_the_masks_keep_the_ends_that_tell_the_number_apart():
    assert mask_text("电话13912345678") == "电话139****5678"
    assert mask_text("+86 139-1234-5678") == "+86 139-****-5678"
    assert mask_text("身份证210104198506121234。") == "身份证2101**********1234。"
    assert mask_text("座机024-22345678转123") == "座机024-******78转***"
    assert mask_text("（024）22345678") == "（024）******78"
    assert mask_text("１３９１２３４５６７８") == "１３９****５６７８"
    assert (
        mask_text("＋８６\u3000１３９－１２３４－５６７８") == "＋８６\u3000１３９－****－５６７８"
    )
    card = "622202123456789" + luhn_check_digit("622202123456789")
    assert mask_text(f"卡{card}") == f"卡{card[:4]}********{card[-4:]}"
    assert [f.kind for f in find_personal(f"卡{card}，电话13912345678")] == [
        PiiKind.BANK_CARD,
        PiiKind.PHONE,
    ]


# What a case's text holds that is not personal data.
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
ORDINARY = st.one_of(
    DATES.map(lambda d: d.isoformat()),
    DATES.map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    DATES.map(lambda d: f"{d:%Y%m%d}"),
    DATES.map(lambda d: f"{d:%Y/%m/%d}"),
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.builds(
        lambda d, t: f"{d.isoformat()} {t:%H:%M:%S}",
        DATES,
        st.times(),
    ),
    st.builds(
        lambda b, u, r: f"{b}号楼{u}单元{r}室",
        st.integers(1, 99),
        st.integers(1, 9),
        st.integers(101, 3302),
    ),
    st.integers(0, 10**7).map(lambda n: f"{n:,}元"),
    st.decimals(min_value=0, max_value=10**6, places=2).map(lambda a: f"¥{a}"),
    st.integers(0, 100).map(lambda n: f"{n}%"),
    st.just(None).map(lambda _: new_receipt()),
    st.sampled_from(["210104001001001", "210104002009001", "210104017012009", "210104"]),
    st.integers(1, 9999).map(lambda n: f"第{n}号"),
    st.integers(1, 99999).map(str),
)


def _apart(filler: str) -> str:
    return filler if filler.strip() else "，"


@settings(max_examples=400)
@given(parts=st.lists(st.tuples(FILLER, ORDINARY), max_size=6), end=FILLER)
def test_ordinary_case_text_comes_out_unchanged(parts, end):
    # Parts apart by more than blanks: "130 20000101" reads as a phone number in groups
    # (130 2000 0101), and masking it is right.
    text = "".join(f"{_apart(filler)}{ordinary}" for filler, ordinary in parts) + end
    assert mask_text(text) == text
    assert masked_and_original(text) == (text, None)


def test_masking_again_changes_nothing_and_empty_text_stays_as_it_is():
    once = mask_text("13912345678 与 210104198506121234")
    assert mask_text(once) == once
    assert mask_text("") == "" and mask_text(None) is None


def test_a_name_keeps_its_first_character():
    assert mask_name("张三丰") == "张**"
    assert mask_name("王先生") == "王**"
    assert mask_name("李") == "*"
    assert mask_name("John Smith") == "J*********"
    assert mask_name(None) is None


def test_a_date_span_and_a_year_range_are_no_phone():
    start = date(2026, 12, 2)
    for days in range(0, 400, 37):
        day = start + timedelta(days=days)
        text = f"{day:%Y-%m-%d}至{day + timedelta(days=3):%Y-%m-%d}，2020-2026年"
        assert mask_text(text) == text
