"""In-app notifications: rows in the caller's session, committed with the change they announce."""

from sqlalchemy.orm import Session

from onegrid.routing.models import Notification
from onegrid.routing.senders.base import Message


class InAppSender:
    """Stores one Notification per user, plus one for the unit or department if addressed."""

    name = "inapp"

    def __init__(self, session: Session) -> None:
        self.session = session

    def send(self, message: Message) -> None:
        """Adds the message's notifications to the session."""
        to = message.to
        recipients = [{"user_id": user_id} for user_id in to.user_ids]
        if to.unit_code or to.department_code:
            recipients.append({"unit_code": to.unit_code, "department_code": to.department_code})
        self.session.add_all(
            Notification(
                district_code=message.district_code,
                kind=message.kind,
                subject=message.subject,
                body=message.body,
                case_id=message.case_id,
                **recipient,
            )
            for recipient in recipients
        )
        self.session.flush()
