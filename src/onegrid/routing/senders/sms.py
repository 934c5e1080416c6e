"""SMS through the district's HTTP gateway (ONEGRID_SMS_GATEWAY_URL).

The gateway takes a JSON POST {"to": [numbers], "content": text}; a gateway speaking another
format gets an adapter of its own beside this one.
"""

import httpx

from onegrid.routing.senders.base import Message

TIMEOUT_SECONDS = 10.0


class SmsSender:
    """Posts the message to the gateway for the recipients' phone numbers."""

    name = "sms"

    def __init__(self, url: str, *, client: httpx.Client | None = None) -> None:
        self.url = url
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS)

    def send(self, message: Message) -> None:
        """Sends one SMS to every phone number of the message; none: nothing is sent."""
        if not message.to.phones:
            return
        response = self.client.post(
            self.url,
            json={"to": list(message.to.phones), "content": f"{message.subject}：{message.body}"},
        )
        response.raise_for_status()
