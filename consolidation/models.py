"""Merging replies, review and exports."""
