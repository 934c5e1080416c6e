"""The senders the settings ask for: in-app always, SMS and e-mail when configured."""

from sqlalchemy.orm import Session

from onegrid.config import Settings
from onegrid.routing.senders.base import Sender
from onegrid.routing.senders.inapp import InAppSender


def get_senders(settings: Settings, *, session: Session) -> list[Sender]:
    """Returns the in-app sender on this session, plus SMS and e-mail if their settings are set."""
    senders: list[Sender] = [InAppSender(session)]
    if settings.sms_gateway_url:
        # Imported only when used: httpx is needed by deployments that send SMS.
        from onegrid.routing.senders.sms import SmsSender

        senders.append(SmsSender(settings.sms_gateway_url))
    if settings.smtp_host:
        from onegrid.routing.senders.email import EmailSender

        senders.append(EmailSender(settings.smtp_host, settings.smtp_from))
    return senders
