"""Submission and UNSD review of a country return: check answers, queries, corrections."""
