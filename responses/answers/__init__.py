"""Saving answers: the save service, autosave, and the section page with its history."""
