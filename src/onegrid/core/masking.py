"""Masks for personal data shown by default (SPEC §7)."""


def mask_phone(phone: str | None) -> str | None:
    """Returns the phone with all but its first three and last four digits hidden."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
