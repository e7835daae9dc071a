"""Models of the consolidation app, one module per aggregate."""

from .consolidated import Resolution

__all__ = ["Resolution"]
