"""The Excel and CSV exports of a round: what they hold, how they are written, and the task."""
