"""Admin of the questionnaire, read-only: questionnaires change only through their YAML file,
whose loader checks them (python manage.py load_questionnaire)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Area, Question, Questionnaire, Section


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["m49_code", "iso3", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "iso3", "m49_code"]


class SectionInline(admin.TabularInline):
    model = Section
    fields = readonly_fields = ("position", "code", "title")
    extra = 0
    can_delete = False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "source_file", "loaded_at"]
    inlines = [SectionInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "text", "kind", "required", "section"]
    list_filter = ["section__questionnaire", "section", "kind"]
    search_fields = ["code", "text"]
