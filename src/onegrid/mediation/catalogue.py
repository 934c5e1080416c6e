"""What mediation counts and names, as data: the "九个一" items, the issue types (with the case
category a referral takes by default), the states."""

from onegrid.mediation.models import DisputeState, IssueType

# Seed 003 and SPEC §5 name the "九个一" standard but not its items: these nine are ours, in the
# form such standards take (a place, a sign, rules, people, records); a district may change them.
NINE_ITEMS: dict[str, tuple[str, str]] = {
    "place": ("一个场所", "a room to meet in"),
    "sign": ("一块牌子", "a sign at the door"),
    "rules": ("一套制度", "a set of rules"),
    "mediator": ("一名调解员", "a mediator"),
    "team": ("一支志愿调解队伍", "a team of volunteer mediators"),
    "ledger": ("一本工作台账", "a ledger of disputes"),
    "board": ("一个公示栏", "a notice board"),
    "box": ("一个意见箱", "a suggestion box"),
    "phone": ("一部联系电话", "a telephone line"),
}

ISSUE_TYPES: dict[str, tuple[str, str]] = {
    IssueType.NEIGHBOUR: ("邻里纠纷", "neighbours' dispute"),
    IssueType.FAMILY: ("家庭纠纷", "family dispute"),
    IssueType.PROPERTY: ("物业纠纷", "property management dispute"),
    IssueType.LABOUR: ("劳资纠纷", "labour dispute"),
    IssueType.OTHER: ("其他", "other"),
}

# The case category a referral opens by default (routing/data/categories.csv), among those
# that ask for no attribute the dispute does not know; the others name one (a labour dispute's
# 欠薪投诉 E0702 asks for the employer and the workers affected).
REFERRAL_CATEGORY: dict[str, str | None] = {
    IssueType.NEIGHBOUR: "E0302",  # 私搭乱建: what most neighbours' disputes a city acts on
    IssueType.FAMILY: "E0703",  # 低保及救助咨询: 民政 takes family matters
    IssueType.PROPERTY: "E0606",  # 物业服务纠纷
    IssueType.LABOUR: None,
    IssueType.OTHER: None,
}

STATE_NAMES: dict[str, tuple[str, str]] = {
    DisputeState.OPEN: ("已登记", "registered"),
    DisputeState.MEDIATING: ("调解中", "in mediation"),
    DisputeState.AGREED: ("达成协议", "agreed"),
    DisputeState.FAILED: ("调解不成", "failed"),
    DisputeState.REFERRED: ("已转办", "referred"),
}

SIDE_NAMES: dict[str, tuple[str, str]] = {
    "applicant": ("申请人", "applicant"),
    "respondent": ("被申请人", "respondent"),
}


def label(names: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """Returns the name of this key in the language ("zh" or "en"), or the key if unknown."""
    pair = names.get(key)
    return key if pair is None else pair[0 if lang == "zh" else 1]
