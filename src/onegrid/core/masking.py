"""Masks for personal data shown by default (SPEC §7); the rules live in onegrid.core.pii."""

from onegrid.core.pii import PiiKind, mask


def mask_phone(phone: str | None) -> str | None:
    """Returns the phone masked as every response shows it (139****5678)."""
    return mask(PiiKind.PHONE, phone)
