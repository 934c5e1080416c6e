"""Domain errors: services raise these; views turn them into HTTP answers in the user's language."""

from typing import Any


class DomainError(Exception):
    """An error a user can act on, worded in Chinese and in English."""

    kind = "invalid"

    def __init__(self, zh: str, en: str, **detail: Any) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.detail = detail

    def message(self, lang: str = "zh") -> str:
        """Returns the message in this language (zh unless en is asked for)."""
        return self.en if lang == "en" else self.zh


class NotFound(DomainError):
    kind = "not_found"


class Invalid(DomainError):
    kind = "invalid"


class Conflict(DomainError):
    kind = "conflict"


class Unauthenticated(DomainError):
    kind = "unauthenticated"


class Forbidden(DomainError):
    kind = "forbidden"


class TooLarge(DomainError):
    kind = "too_large"
