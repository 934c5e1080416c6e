"""Notification senders behind one small interface: in-app, SMS, e-mail, and a mock for tests."""

from onegrid.routing.senders.base import Message, Recipients, Sender
from onegrid.routing.senders.inapp import InAppSender
from onegrid.routing.senders.mock import MockSender
from onegrid.routing.senders.registry import get_senders

__all__ = ["InAppSender", "Message", "MockSender", "Recipients", "Sender", "get_senders"]
