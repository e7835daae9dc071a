"""Models of consolidation: merged answers, review queries and corrections (one module each)."""

from .review import Correction, QueryMessage, ReviewQuery

__all__ = ["Correction", "QueryMessage", "ReviewQuery"]
