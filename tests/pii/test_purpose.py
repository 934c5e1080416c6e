"""A reveal's purpose must be a real statement of why, in Chinese or English."""

import pytest
from pydantic import ValidationError

from onegrid.pii.schemas import RevealIn

BODY = {"object_type": "person", "object_id": 1, "field": "phone"}


@pytest.mark.parametrize(
    "purpose",
    [
        "aaaa",
        "aaaaaaaaaaaaaaaa",
        "1234567890",
        "!!!!????....",
        "看看看看",
        "核实核实核实",
        "哈哈哈哈哈哈是",
        "check it",
        "abc def ghi",  # three words but nine letters
        "test test test test",
        "aaa aaa aaa aaaa",
        "a b c d e f g h i j k",
    ],
)
def test_filler_is_refused_with_a_reason_in_both_languages(purpose):
    with pytest.raises(ValidationError) as error:
        RevealIn(**BODY, purpose=purpose)
    message = str(error.value)
    assert "查看目的须是一句真实的说明" in message and "must be a real statement" in message


@pytest.mark.parametrize(
    "purpose",
    [
        "核实案件现场情况",
        "回访核实处置结果",
        "联系网格员",
        "check the worker's contact details",
        "call back the reporter about case 2026",
    ],
)
def test_real_statements_pass(purpose):
    assert RevealIn(**BODY, purpose=f"  {purpose} ").purpose == purpose


def test_a_statement_of_two_chinese_characters_and_one_english_word_is_too_short():
    with pytest.raises(ValidationError):
        RevealIn(**BODY, purpose="回访 reporter")


def test_the_api_answers_422_naming_the_rule(client, tokens):
    response = client.post(
        "/api/v1/pii/reveal",
        json={**BODY, "purpose": "aaaa"},
        headers={"Authorization": f"Bearer {tokens['command']}"},
    )
    assert response.status_code == 422
    assert "must be a real statement" in response.text
