"""E-mail through an SMTP relay of the government network (ONEGRID_SMTP_HOST, "host[:port]")."""

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from onegrid.routing.senders.base import Message

TIMEOUT_SECONDS = 10.0


class EmailSender:
    """Sends the message as one e-mail to the recipients' addresses."""

    name = "email"

    def __init__(
        self, host: str, sender: str, *, smtp: Callable[..., smtplib.SMTP] = smtplib.SMTP
    ) -> None:
        name, _, port = host.partition(":")
        self.host, self.port = name, int(port or 25)
        self.sender = sender
        self.smtp = smtp

    def send(self, message: Message) -> None:
        """Sends one e-mail to every address of the message; none: nothing is sent."""
        if not message.to.emails:
            return
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.sender
        mail["To"] = ", ".join(message.to.emails)
        mail.set_content(message.body)
        with self.smtp(self.host, self.port, timeout=TIMEOUT_SECONDS) as connection:
            connection.send_message(mail)
