"""Template filters for text in right-to-left scripts (see consultation/text_direction.py)."""

from django import template

from consultation import text_direction

register = template.Library()


@register.filter
def isolate(text: object) -> object:
    """`{{ message|isolate }}` in a plain-text e-mail: right-to-left text keeps its direction."""
    return text_direction.isolate(text)
