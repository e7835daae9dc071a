"""Introductions as paragraphs that reflow: the YAML's line breaks are not the author's."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

BLANK_LINES = re.compile(r"\n\s*\n")


@register.filter
def paragraphs(text: str) -> SafeString:
    """Blank lines separate paragraphs; single line breaks inside one are spaces."""
    blocks = [" ".join(block.split()) for block in BLANK_LINES.split(str(text or "").strip())]
    return mark_safe("".join(f"<p>{escape(block)}</p>" for block in blocks if block))  # noqa: S308
