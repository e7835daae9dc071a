"""Models of the consolidation app, one module per aggregate."""

from .consolidated import Resolution, SeparateReturns

__all__ = ["Resolution", "SeparateReturns"]
