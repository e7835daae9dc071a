"""Consolidation of replies, review and exports."""
