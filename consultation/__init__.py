"""The questionnaire: definition, loading and rendering."""
