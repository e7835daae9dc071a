"""Merging replies, review and exports."""

from .exports import Export

__all__ = ["Export"]
