"""A sender that keeps messages in memory, for tests."""

from onegrid.routing.senders.base import Message


class MockSender:
    """Collects every message it is given in `sent`."""

    name = "mock"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        """Keeps the message."""
        self.sent.append(message)
