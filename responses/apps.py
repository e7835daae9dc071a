"""App configuration for responses."""

from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from consultation.loader import register_answer_counter

        from .services import count_answers_by_question

        register_answer_counter(count_answers_by_question)
