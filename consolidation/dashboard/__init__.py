"""UNSD's dashboard of a round: every country's progress, charts, reminders, tabulations."""
