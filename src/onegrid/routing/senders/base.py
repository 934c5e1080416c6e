"""The sender interface: one message, one call; the in-app sender always, SMS and e-mail too."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Recipients:
    """Who a message is for: users, everyone of a unit or department, and their addresses.

    Phone numbers and e-mail addresses are resolved by the caller (they are personal data and
    are looked up only when a message is actually sent).
    """

    user_ids: tuple[int, ...] = ()
    unit_code: str | None = None
    department_code: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """A notification: e.g. a case dispatched to a department, or a deadline about to pass."""

    district_code: str
    to: Recipients
    subject: str
    body: str
    kind: str = "info"  # e.g. case.dispatched, case.overdue
    case_id: int | None = None


class Sender(Protocol):
    """Delivers a message by one channel; a channel with no address for it does nothing."""

    name: str

    def send(self, message: Message) -> None: ...
