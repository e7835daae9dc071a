"""App configuration for consultation."""

from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "consultation"
    default_auto_field = "django.db.models.BigAutoField"
