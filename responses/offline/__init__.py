"""Offline replies: a reply downloaded as an Excel workbook, filled in offline, uploaded back."""
