"""Text in an .xlsx cell exactly as typed, through Excel's and LibreOffice's escapes.

OOXML writes a character XML cannot hold as `_xHHHH_`, so a spreadsheet program reading a cell
takes any `_x` + hex digits + `_` in it for such an escape: "a_x0041_b" would come back as "aAb"
(LibreOffice takes one to four digits). openpyxl neither escapes nor unescapes these, so text is
escaped here before it is written (the underscore itself becomes `_x005F_`, as Excel writes it)
and unescaped after it is read. Excel escapes again when it saves; LibreOffice (7.4) decodes on
opening but saves the decoded text as it is, so such text saved by LibreOffice comes back decoded:
the upload's preview then shows the answer as changed, never silently.
"""

import re

_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{1,4}_)")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_cell_text(text: str) -> str:
    """What to write so that a spreadsheet program reads `text` back unchanged."""
    if "_x" not in text:
        return text
    return _LOOKS_ESCAPED.sub("_x005F_", text)


def unescape_cell_text(text: str) -> str:
    """The text a person sees in a cell, from what the file holds."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
