"""Small readers shared by the checks: keys, codes, texts, flags and suggestions."""

import difflib
from collections.abc import Mapping
from typing import Any, TypeGuard

from .errors import ErrorLog
from .spec import CODE_PATTERN

# --- Small readers -----------------------------------------------------------------------------


def check_keys(
    data: Mapping[Any, Any], allowed: tuple[str, ...], log: ErrorLog, code: str, here: str = ""
) -> None:
    for key in data:
        if key not in allowed:
            log.add(code, f"{here}unknown key {key!r}{suggest(key, allowed)}")


def suggest(value: Any, options: Any) -> str:
    matches = difflib.get_close_matches(str(value), [str(option) for option in options], n=1)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def read_required(
    data: Mapping[str, Any], key: str, log: ErrorLog, code: str, here: str = ""
) -> Any:
    value = data.get(key)
    if value is None or value == "":
        log.add(code, f"{here}missing required key '{key}'")
        return None
    return value


def check_code(
    value: Any, what: str, log: ErrorLog, code: str, here: str = "", max_length: int = 60
) -> TypeGuard[str]:
    if value is None:
        log.add(code, f"{here}missing required key 'code'")
        return False
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        log.add(
            code, f"{here}{what} {value!r} must be letters, digits and '_', starting with a letter"
        )
        return False
    if len(value) > max_length:
        log.add(code, f"{here}{what} '{value}' is longer than {max_length} characters")
        return False
    return True


def read_text(
    data: Mapping[str, Any],
    key: str,
    log: ErrorLog,
    code: str,
    here: str = "",
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            log.add(code, f"{here}missing required key '{key}'")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        log.add(code, f"{here}{key} must be text, not {value!r}")
        return ""
    text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        log.add(code, f"{here}{key} is longer than {max_length} characters")
    return text


def flag(
    data: Mapping[str, Any], key: str, default: bool, log: ErrorLog, code: str, here: str = ""
) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        log.add(code, f"{here}{key} must be true or false, not {value!r}")
        return default
    return value


def is_whole(value: Any, *, minimum: int, maximum: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    )


def is_positive_int(value: Any) -> bool:
    return is_whole(value, minimum=1)


def is_plain_json(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(is_plain_json(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and is_plain_json(item) for key, item in value.items())
    return False
