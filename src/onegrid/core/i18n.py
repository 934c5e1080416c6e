"""Language choice: Chinese (zh-CN) first, English complete too."""

LANGUAGES = ("zh", "en")


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """Returns "zh" or "en": an explicit ?lang= wins, then Accept-Language, then Chinese."""
    if query_lang in LANGUAGES:
        return query_lang
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"
