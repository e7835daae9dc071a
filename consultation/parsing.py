"""One strict parser for whole numbers read from addresses, forms and files: ASCII digits only.

`str.isdigit()` accepts characters that `int()` refuses ("²"), and `int()` accepts forms no
address should carry (" 7", "+7", Arabic-Indic digits): every id, row number or code read from
outside goes through `parse_whole_number` instead.
"""

import re

# The largest primary key PostgreSQL's bigint holds.
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_whole_number(text: object, *, maximum: int = MAX_ID) -> int | None:
    """The number `text` spells in ASCII digits, if it is one from 0 to `maximum`; else None."""
    if not isinstance(text, str) or not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None
