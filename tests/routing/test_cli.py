"""`onegrid categories …` as an operator runs it (through the sub-app until it is mounted)."""

import os
import subprocess
import sys

_RUN = "from onegrid.routing.cli import categories_app; categories_app()"


def _run(url, *args):
    env = {**os.environ, "ONEGRID_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_list_prints_the_catalogue(demo_engine):
    result = _run(demo_engine.url.render_as_string(hide_password=False), "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 40
    assert lines[0].split() == ["0101", "component", "water", "1h/30m/4h/2h", "上水井盖缺损"]


def test_import_refuses_a_wrong_row_by_name(demo_engine, tmp_path):
    bad = tmp_path / "mine.csv"
    header = (
        "code,kind,major_code,major_name,major_name_en,name,name_en,department,verify_limit,"
        "dispatch_limit,handle_limit,check_limit,duplicate_radius_m,duplicate_window_hours,"
        "active,keywords,description"
    )
    row = "E0799,event,E07,民生服务,Livelihood,测试,Test,civil_affairs,1d,4h,5x,1d,0,0,true,,"
    bad.write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = _run(demo_engine.url.render_as_string(hide_password=False), "import", str(bad))
    assert result.returncode == 2
    assert "mine.csv line 2 (E0799): handle_limit" in " ".join(result.stderr.split())
