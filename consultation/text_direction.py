"""Right-to-left text among left-to-right text: isolating it so that it reads in its own direction.

Pages mark labels and answers `dir="auto"`; plain-text e-mails have no markup, so a name or a
message in Arabic or Hebrew is wrapped in Unicode directional isolates (FSI ... PDI), which
mail readers honour, instead of being reordered with the English text around it.
"""

import unicodedata
from collections.abc import Mapping
from typing import Any

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def has_right_to_left(text: str) -> bool:
    """Whether the text has a letter of a right-to-left script (Arabic, Hebrew, Syriac ...)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate(text: Any) -> Any:
    """The text between directional isolates if it holds right-to-left letters; else as given."""
    if isinstance(text, str) and has_right_to_left(text):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def isolate_strings(context: Mapping[str, Any]) -> dict[str, Any]:
    """A template context whose text values are isolated (other values are left alone)."""
    return {key: isolate(value) for key, value in context.items()}
