"""API shapes of a reveal."""

import re
from collections import Counter
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _refuse(reason_zh: str, reason_en: str) -> PydanticCustomError:
    return PydanticCustomError(
        "purpose_not_a_statement",
        "查看目的须是一句真实的说明（至少 4 个汉字，或至少 3 个英文单词、10 个字母）："
        "{reason_zh}; the purpose must be a real statement (at least 4 Chinese characters, or "
        "3 English words and 10 letters): {reason_en}",
        {"reason_zh": reason_zh, "reason_en": reason_en},
    )


def _is_statement(text: str) -> str:
    """Returns the purpose if it reads as a statement of why; refuses filler like "aaaa"."""
    cjk = _CJK.findall(text)
    if len(cjk) >= 4:
        counts = Counter(cjk)
        if len(counts) < 3 or counts.most_common(1)[0][1] * 2 > len(cjk):
            raise _refuse("同一个字重复太多", "one character is repeated too often")
        return text
    words = [w.lower() for w in _WORD.findall(text)]
    letters = "".join(words)
    if len(words) < 3 or len(letters) < 10:
        raise _refuse("太短，或只有数字和符号", "too short, or only digits and punctuation")
    if len(set(words)) < 3 or len(set(letters)) < 5:
        raise _refuse("同样的词或字母重复太多", "the same words or letters are repeated too often")
    return text


Purpose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=200),
    AfterValidator(_is_statement),
]


class RevealIn(BaseModel):
    object_type: Literal[
        "person",
        "case",
        "case_event",
        "mediation_party",
        "mediation_dispute",
        "mediation_session",
    ]
    object_id: int = Field(gt=0, lt=2**31)  # an INTEGER key on both stores
    field: Literal[
        "phone",
        "id_number",
        "reporter_phone",
        "reporter_name",
        "description",
        "address",
        "note",
        "name",
        "summary",
    ] = Field(
        description="person: phone or id_number; case: reporter_phone, reporter_name, "
        "description or address; case_event (a timeline entry's id): note; mediation_party: "
        "name or phone; mediation_dispute: summary; mediation_session: note (these three to "
        "whoever may read mediation)"
    )
    purpose: Purpose = Field(
        description="why the clear value is needed, recorded in the audit log: at least 4 "
        "Chinese characters, or 3 English words and 10 letters, not one thing repeated",
        examples=["联系网格员核实案件现场情况"],
    )


class RevealOut(BaseModel):
    object_type: str
    object_id: int = Field(gt=0, lt=2**31)  # an INTEGER key on both stores
    field: str
    value: str | None = Field(description="the clear value; null if none is stored")
    masked: str | None = Field(description="the value as shown by default")
