"""Language codes (ISO 639-1) in words, for the reasons an option fits."""

from __future__ import annotations

from typing import Final

NAMES: Final = {
    "ar": "Arabic", "bn": "Bengali", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fa": "Persian", "fr": "French", "gu": "Gujarati", "ha": "Hausa",
    "he": "Hebrew", "hi": "Hindi", "ht": "Haitian Creole", "hy": "Armenian", "it": "Italian",
    "ja": "Japanese", "km": "Khmer", "ko": "Korean", "lo": "Lao", "nl": "Dutch",
    "pa": "Punjabi", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "so": "Somali", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "th": "Thai",
    "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "yi": "Yiddish", "zh": "Chinese", "asl": "American Sign Language",
}  # fmt: skip


def language_name(code: str) -> str:
    """`es` -> Spanish; a code not in the table is shown as given, in capitals."""
    return NAMES.get(code.lower(), code.upper())
