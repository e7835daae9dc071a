"""Template filters of the questionnaire."""
