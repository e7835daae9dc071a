"""Models of consolidation: merged answers, review queries and corrections (one module each)."""

from .consolidated import Resolution, SeparateReturns
from .review import Correction, QueryMessage, ReviewQuery

__all__ = ["Correction", "QueryMessage", "Resolution", "ReviewQuery", "SeparateReturns"]
