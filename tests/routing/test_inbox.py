"""A user's in-app notifications: who receives which, read and unread, the count, the API."""

import pytest
from sqlalchemy import select

from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.core.errors import NotFound
from onegrid.routing import inbox
from onegrid.routing.models import Notification, NotificationRead
from onegrid.routing.senders import InAppSender, Message, Recipients

GRID = "210104002009001"  # the demo grid worker's
COMMUNITY = "210104002009"
STREET = "210104002"
DISTRICT = "210104"
OTHER_GRID = "210104017012009"


def who(session, username):
    user = session.scalars(select(User).where(User.username == username)).one()
    return accounts.principal_for(user)


def send(session, subject, *, users=(), unit=None, department=None, district=DISTRICT):
    """Sends an in-app message; returns the ids of the notifications it stored."""
    before = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    message = Message(
        district_code=district,
        to=Recipients(user_ids=tuple(users), unit_code=unit, department_code=department),
        subject=subject,
        body=f"{subject} body",
        kind="case.dispatch",
    )
    InAppSender(session).send(message)
    return list(session.scalars(select(Notification.id).where(Notification.id > (before or 0))))


def subjects(session, username, limit=50, offset=0):
    items = inbox.list_for(session=session, who=who(session, username), limit=limit, offset=offset)
    return [item.notification.subject for item in items]


@pytest.fixture
def mail(session):
    """Clears the demo's notifications and sends one of each address."""
    session.query(NotificationRead).delete()
    session.query(Notification).delete()
    gridworker = who(session, "gridworker").user_id
    send(session, "grid", unit=GRID)
    send(session, "community", unit=COMMUNITY)
    send(session, "street", unit=STREET)
    send(session, "district", unit=DISTRICT)
    send(session, "department", department="urban_mgmt")
    send(session, "grid and department", unit=GRID, department="urban_mgmt")
    send(session, "other grid", unit=OTHER_GRID)
    send(session, "personal", users=[gridworker])
    send(session, "another district", department="urban_mgmt", district="210102")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("gridworker", ["personal", "grid and department", "grid"]),
        ("community", ["community"]),
        ("street", ["street"]),
        ("command", ["district"]),
        ("leader", ["district"]),
        ("department", ["grid and department", "department"]),
        # No case is theirs to read: nothing addressed to a unit or department reaches them.
        ("sysadmin", []),
        ("citizen", []),
    ],
)
def test_each_user_receives_what_is_addressed_to_them_newest_first(
    session, mail, username, expected
):
    assert subjects(session, username) == expected
    assert inbox.count(session=session, who=who(session, username)) == len(expected)


def test_the_newest_come_first_and_a_page_at_a_time(session, mail):
    gridworker = who(session, "gridworker")
    send(session, "latest", users=[gridworker.user_id])
    assert subjects(session, "gridworker") == ["latest", "personal", "grid and department", "grid"]
    assert subjects(session, "gridworker", limit=2, offset=1) == ["personal", "grid and department"]
    assert subjects(session, "gridworker", limit=2, offset=3) == ["grid"]


def test_a_large_inbox_marked_all_read_keeps_no_row_for_each(session, mail):
    gridworker = who(session, "gridworker")
    for n in range(30):
        send(session, f"notice {n}", unit=GRID)
    inbox.mark_read(
        session=session,
        who=gridworker,
        notification_id=session.scalar(
            select(Notification.id).where(Notification.subject == "grid")
        ),
    )
    assert inbox.mark_all_read(session=session, who=gridworker) == 32
    assert session.scalar(select(NotificationRead.user_id)) is None  # the mark says it all
    send(session, "after", unit=GRID)
    assert inbox.unread_count(session=session, who=gridworker) == 1
    items = inbox.list_for(session=session, who=gridworker, limit=2)
    assert [(i.notification.subject, i.read) for i in items] == [
        ("after", False),
        ("notice 29", True),
    ]


def test_reading_one_lowers_the_count_for_that_reader_only(session, mail):
    gridworker, department = who(session, "gridworker"), who(session, "department")
    shared = session.scalar(
        select(Notification.id).where(Notification.subject == "grid and department")
    )
    assert inbox.unread_count(session=session, who=gridworker) == 3
    assert inbox.unread_count(session=session, who=department) == 2

    inbox.mark_read(session=session, who=gridworker, notification_id=shared)
    inbox.mark_read(session=session, who=gridworker, notification_id=shared)  # again: no change

    assert inbox.unread_count(session=session, who=gridworker) == 2
    assert inbox.unread_count(session=session, who=department) == 2  # read on their own
    items = inbox.list_for(session=session, who=gridworker, limit=10)
    assert [(i.notification.subject, i.read) for i in items] == [
        ("personal", False),
        ("grid and department", True),
        ("grid", False),
    ]


def test_someone_elses_notification_cannot_be_marked_read(session, mail):
    other = session.scalar(select(Notification.id).where(Notification.subject == "other grid"))
    with pytest.raises(NotFound):
        inbox.mark_read(session=session, who=who(session, "gridworker"), notification_id=other)
    with pytest.raises(NotFound):
        inbox.mark_read(session=session, who=who(session, "gridworker"), notification_id=10**9)
    assert session.scalar(select(NotificationRead.user_id)) is None


def test_mark_all_read_marks_only_the_readers_own(session, mail):
    gridworker, department = who(session, "gridworker"), who(session, "department")
    shared = session.scalar(select(Notification.id).where(Notification.subject == "grid"))
    inbox.mark_read(session=session, who=gridworker, notification_id=shared)
    assert inbox.mark_all_read(session=session, who=gridworker) == 2
    assert inbox.unread_count(session=session, who=gridworker) == 0
    assert inbox.mark_all_read(session=session, who=gridworker) == 0
    assert inbox.unread_count(session=session, who=department) == 2
    assert inbox.unread_count(session=session, who=who(session, "community")) == 1


def _plan(session, statement) -> str:
    """The store's plan of the statement. PostgreSQL is told to avoid scanning the table, as it
    rightly would for one this small: the plan then shows whether an index can serve."""
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if session.get_bind().dialect.name == "sqlite":
        explain = "EXPLAIN QUERY PLAN"
    else:
        session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN"
    rows = session.connection().exec_driver_sql(f"{explain} {compiled}")
    return " ".join(str(row) for row in rows)


@pytest.mark.parametrize(
    ("username", "index"),
    [("department", "ix_notification_department"), ("gridworker", "ix_notification_unit_code")],
)
def test_the_unread_count_reads_by_index(session, mail, username, index):
    reader = who(session, username)
    statement = select(Notification.id).where(inbox.addressed_to(reader))
    plan = _plan(session, statement)
    assert "ix_notification_user_id" in plan
    assert "SCAN notification" not in plan and "Seq Scan on notification" not in plan
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL may take the district's
        assert index in plan


# ---- the API ------------------------------------------------------------------------------


def test_the_api_lists_counts_and_marks_read(api, session, mail):
    listed = api("gridworker", "get", "/notifications?limit=2")
    assert listed.status_code == 200
    body = listed.json()
    assert (body["total"], body["unread"], body["limit"], body["offset"]) == (3, 3, 2, 0)
    assert [i["subject"] for i in body["items"]] == ["personal", "grid and department"]
    assert body["items"][0]["read"] is False
    first = body["items"][0]["id"]

    assert api("gridworker", "post", f"/notifications/{first}/read").status_code == 204
    count = api("gridworker", "get", "/notifications/unread-count")
    assert count.status_code == 200 and count.json() == {"unread": 2}

    assert api("gridworker", "post", "/notifications/read").json() == {"marked": 2}
    assert api("gridworker", "get", "/notifications/unread-count").json() == {"unread": 0}


def test_the_api_refuses_strangers_and_others_notifications(api, session, mail):
    other = session.scalar(select(Notification.id).where(Notification.subject == "other grid"))
    refused = api("gridworker", "post", f"/notifications/{other}/read")
    assert refused.status_code == 404
    assert refused.json()["error"]["message"] == f"没有通知 {other}"
    assert api("gridworker", "post", "/notifications/0/read").status_code == 422
    assert api(None, "get", "/notifications/unread-count").status_code == 401
    assert api("gridworker", "get", "/notifications?limit=0").status_code == 422


def test_the_openapi_schema_documents_the_notification_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/notifications"]) == {"get"}
    assert "get" in paths["/api/v1/notifications/unread-count"]
    assert "post" in paths["/api/v1/notifications/read"]
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
