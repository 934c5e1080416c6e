"""The live demo server's API as its demo users call it, for the journeys in a browser: a case
reported (by a citizen, or by the hotline on a caller's behalf) and taken to closed with a photo
of the result, each step by the account whose job it is."""

import io
from functools import cache

import httpx
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.models import Case
from onegrid.db import create_db_engine
from tests.cases.conftest import WORKER_GRID, point_in
from tests.cases.driving import DISPATCH_NOTE, FEEDBACK_NOTE
from tests.web.conftest import DEMO_PASSWORD


def result_photo() -> bytes:
    """A JPEG of a street light shining (yellow on dark blue), as a department would send."""
    image = Image.new("RGB", (480, 360), (20, 40, 90))
    image.paste((250, 210, 60), (200, 60, 280, 140))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


class DemoLoop:
    """Calls the demo server's API as its demo users; reads the demo database for what the API
    does not say (a case's id by its receipt)."""

    def __init__(self, server: str, db_url: str) -> None:
        self.api = httpx.Client(base_url=server + "/api/v1", timeout=30)
        self.engine = create_db_engine(db_url)

    def close(self) -> None:
        self.api.close()
        self.engine.dispose()

    @cache  # noqa: B019 - one token per user for the loop's life
    def _as(self, username: str) -> dict[str, str]:
        body = {"username": username, "password": DEMO_PASSWORD}
        response = self.api.post("/auth/token", json=body)
        response.raise_for_status()
        return {"Authorization": "Bearer " + response.json()["access_token"]}

    def point(self) -> tuple[float, float]:
        """A point (lon, lat) in the demo grid worker's grid, where the journeys' cases are."""
        with Session(self.engine) as session:
            point = point_in(session, WORKER_GRID)
        return point.x, point.y

    def _report_body(self, **extra) -> dict:
        lon, lat = self.point()
        body = {"category_code": "0107", "description": "路灯不亮，晚上很黑", **extra}
        return {**body, "lon": lon, "lat": lat}

    def citizen_reports(self) -> str:
        """Reports a street light out as a citizen without an account; returns the receipt."""
        body = self._report_body(reporter_name="王小明", reporter_phone="13912345678")
        response = self.api.post("/public/cases", json=body)
        assert response.status_code == 201, response.text
        return response.json()["receipt"]

    def hotline_takes_call(self, name: str, phone: str) -> str:
        """Enters a 12345 call as the command centre, the caller wanting a call back."""
        body = self._report_body(
            channel="hotline", reporter_name=name, reporter_phone=phone, callback_wanted=True
        )
        response = self.api.post("/cases", json=body, headers=self._as("command"))
        assert response.status_code == 201, response.text
        return response.json()["receipt"]

    def case_id(self, receipt: str) -> int:
        with Session(self.engine) as session:
            return session.scalars(select(Case.id).where(Case.receipt == receipt)).one()

    def case(self, receipt: str) -> dict:
        response = self.api.get(f"/cases/{self.case_id(receipt)}", headers=self._as("command"))
        response.raise_for_status()
        return response.json()

    def _act(self, username: str, case_id: int, action: str, **body) -> None:
        response = self.api.post(
            f"/cases/{case_id}/transitions",
            json={"action": action, **body},
            headers=self._as(username),
        )
        assert response.status_code == 200, response.text

    def send_to_verify(self, receipt: str) -> None:
        """The command centre sends the grid worker to verify the report on site."""
        self._act("command", self.case_id(receipt), "request_verify")

    def close_with_photo(self, receipt: str) -> None:
        """The command centre opens and dispatches it to 城管, the department sends its result
        with a photo, the grid worker's check passes: closed."""
        case_id = self.case_id(receipt)
        self._act("command", case_id, "open")
        dispatch = {"department_code": "urban_mgmt"}
        self._act("command", case_id, "dispatch", data=dispatch, note=DISPATCH_NOTE)
        photo = self.api.post(
            f"/cases/{case_id}/evidence",
            files={"file": ("result.jpg", result_photo(), "image/jpeg")},
            headers=self._as("department"),
        )
        assert photo.status_code == 201, photo.text
        evidence = [photo.json()["id"]]
        self._act("department", case_id, "feedback", note=FEEDBACK_NOTE, evidence_ids=evidence)
        self._act("gridworker", case_id, "check_pass", note="现场核查通过")
