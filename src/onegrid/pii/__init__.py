"""Reveal of masked personal information: one field, to a permitted role, for a logged purpose."""

from onegrid.pii.schemas import RevealIn, RevealOut
from onegrid.pii.service import REVEALABLE, Revealed, reveal

__all__ = ["REVEALABLE", "RevealIn", "RevealOut", "Revealed", "reveal"]
