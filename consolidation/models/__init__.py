"""Models of consolidation: merged answers, review queries and corrections, exports (one module
each)."""

from .consolidated import Resolution, SeparateReturns
from .exports import Export
from .review import Correction, QueryMessage, ReviewQuery

__all__ = [
    "Correction",
    "Export",
    "QueryMessage",
    "Resolution",
    "ReviewQuery",
    "SeparateReturns",
]
