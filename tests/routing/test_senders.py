"""Senders: in-app notifications are rows; SMS and e-mail only when configured, never real here."""

import json

import httpx
from sqlalchemy import select

from onegrid.accounts.models import User
from onegrid.config import Settings
from onegrid.routing.models import Notification
from onegrid.routing.senders import InAppSender, Message, MockSender, Recipients, get_senders
from onegrid.routing.senders.email import EmailSender
from onegrid.routing.senders.sms import SmsSender

MESSAGE = Message(
    district_code="210104",
    to=Recipients(
        user_ids=(),
        department_code="urban_mgmt",
        phones=("13900000000",),
        emails=("duty@example.gov.cn",),
    ),
    subject="新派遣案件",
    body="占道经营，大北街道华炉社区第1网格，请在 1 个工作日内处置",
    kind="case.dispatched",
    case_id=42,
)


def test_in_app_stores_one_notification_per_user_and_one_for_the_department(session):
    ids = tuple(session.scalars(select(User.id).order_by(User.id).limit(2)))
    message = Message(**{**vars(MESSAGE), "to": Recipients(user_ids=ids, department_code="water")})
    InAppSender(session).send(message)
    rows = session.scalars(select(Notification).where(Notification.case_id == 42)).all()
    assert [(r.user_id, r.department_code) for r in rows] == [
        (ids[0], None),
        (ids[1], None),
        (None, "water"),
    ]
    assert all(r.kind == "case.dispatched" and r.read_at is None for r in rows)
    assert rows[0].created_at.tzinfo is not None and rows[0].district_code == "210104"


def test_the_mock_collects_messages():
    mock = MockSender()
    mock.send(MESSAGE)
    mock.send(MESSAGE)
    assert mock.sent == [MESSAGE, MESSAGE]


def test_without_settings_only_in_app_is_used(session):
    senders = get_senders(Settings(), session=session)
    assert [s.name for s in senders] == ["inapp"]


def test_configured_sms_and_email_join_in_app(session):
    settings = Settings(
        sms_gateway_url="http://sms.gov.example/send",
        smtp_host="smtp.gov.example:2525",
        smtp_from="onegrid@gov.example",
    )
    senders = get_senders(settings, session=session)
    assert [s.name for s in senders] == ["inapp", "sms", "email"]
    assert (senders[2].host, senders[2].port) == ("smtp.gov.example", 2525)


def test_sms_posts_to_the_gateway():
    seen = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    client = httpx.Client(transport=httpx.MockTransport(gateway))
    sender = SmsSender("http://sms.gov.example/send", client=client)
    sender.send(MESSAGE)
    sender.send(Message(**{**vars(MESSAGE), "to": Recipients(user_ids=(1,))}))  # no phone
    assert len(seen) == 1 and str(seen[0].url) == "http://sms.gov.example/send"
    assert json.loads(seen[0].content) == {
        "to": ["13900000000"],
        "content": f"{MESSAGE.subject}：{MESSAGE.body}",
    }


class _FakeSmtp:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.address = (host, port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, mail):
        _FakeSmtp.sent.append((self.address, mail))


def test_email_goes_through_the_smtp_relay():
    _FakeSmtp.sent = []
    sender = EmailSender("relay.gov.example", "onegrid@gov.example", smtp=_FakeSmtp)
    sender.send(MESSAGE)
    sender.send(Message(**{**vars(MESSAGE), "to": Recipients(unit_code="210104002")}))
    [(address, mail)] = _FakeSmtp.sent
    assert address == ("relay.gov.example", 25)
    assert mail["To"] == "duty@example.gov.cn" and mail["Subject"] == "新派遣案件"
    assert "占道经营" in mail.get_content()
