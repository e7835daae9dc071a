"""App configuration for responses."""

from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django allows only
        # once every app is loaded, and apps.py is read before that.
        from consultation.loader import register_answer_counter, register_choice_counter

        from .answers.services import count_answers_by_question, count_answers_using_choices

        register_answer_counter(count_answers_by_question)
        register_choice_counter(count_answers_using_choices)
