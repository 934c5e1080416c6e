"""A case through the command line, and the reporter's phone revealed only with a purpose."""

from sqlalchemy import select

from onegrid.audit.models import AuditRecord


def test_every_step_of_the_loop_from_the_command_line(own_demo_engine, inside, onegrid_cli):
    url = own_demo_engine.url.render_as_string(hide_password=False)
    reported = onegrid_cli(
        url,
        "case",
        "report",
        "--category",
        "0107",
        "--lon",
        str(inside.x),
        "--lat",
        str(inside.y),
        "--description",
        "路灯不亮",
        "--phone",
        "13912345678",
    )
    assert reported.returncode == 0, reported.stderr
    case_id, receipt, grid = reported.stdout.split()
    assert grid == "210104002009001"
    steps = [
        ("request_verify", []),
        ("verify", ["--data", "valid=true"]),
        ("open", []),
        ("dispatch", []),
        ("feedback", ["--note", "已修复"]),
        ("check_pass", []),
        ("evaluate", ["--data", "rating=5"]),
    ]
    for action, extra in steps:
        result = onegrid_cli(url, "case", "act", case_id, action, *extra)
        assert result.returncode == 0, (action, result.stderr)
    refused = onegrid_cli(url, "case", "act", case_id, "dispatch")
    assert refused.returncode == 2 and "cannot take the action dispatch" in refused.stderr
    shown = onegrid_cli(url, "case", "show", receipt)
    assert "已评价 (evaluated)" in shown.stdout
    assert [line.split()[3] for line in shown.stdout.splitlines()[2:]] == [
        "receive",
        *(action for action, _ in steps),
    ]
    assert receipt in onegrid_cli(url, "case", "list", "--state", "evaluated").stdout
    with own_demo_engine.connect() as connection:  # showing the case was an audited read
        read = connection.execute(
            select(AuditRecord.object_id, AuditRecord.actor).where(
                AuditRecord.action == "case.read"
            )
        ).all()
    assert [(object_id, actor.startswith("cli:")) for object_id, actor in read] == [(case_id, True)]


def test_the_reporters_phone_is_masked_and_revealed_only_with_a_purpose(
    client, tokens, session, make_case, outside
):
    case = make_case(reporter_phone="13912345678")
    other = make_case(point=outside, reporter_phone="13800001111")

    def call(user, body):
        return client.post(
            "/api/v1/pii/reveal", json=body, headers={"Authorization": f"Bearer {tokens[user]}"}
        )

    shown = client.get(
        f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {tokens['command']}"}
    ).json()
    assert shown["reporter_phone"] == "139****5678"
    body = {
        "object_type": "case",
        "object_id": case.id,
        "field": "reporter_phone",
        "purpose": "回访核实处置结果",
    }
    revealed = call("command", body)
    assert revealed.status_code == 200 and revealed.json()["value"] == "13912345678"
    assert call("gridworker", body).status_code == 403  # may see the case, not the phone
    outside_body = body | {"object_id": other.id}
    assert call("street", outside_body).status_code == 404  # 大北街道 cannot see 上园街道's
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "pii.reveal").order_by(AuditRecord.seq)
    ).all()
    assert records[-2].object_id == str(case.id) and records[-2].outcome == "success"
    assert "回访核实处置结果" in records[-2].detail and "13912345678" not in records[-2].detail
    assert records[-1].outcome == "denied"
