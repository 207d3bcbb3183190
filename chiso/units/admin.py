"""Back office for the DX office: browse units, correct a name or a date, fix lineage."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Lineage, Unit


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("now", _("Latest list (no end date)")), ("ended", _("Ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Unit]) -> QuerySet[Unit]:
        if self.value() == "now":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "ended":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class PredecessorInline(admin.TabularInline):
    model = Lineage
    fk_name = "new"
    autocomplete_fields = ["old"]
    extra = 0
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "kind",
        "province_code",
        "parent",
        "valid_from",
        "valid_to",
    )
    list_filter = ("level", "kind", InForceFilter, "province_code")
    search_fields = ("code", "name")
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [PredecessorInline]


@admin.register(Lineage)
class LineageAdmin(admin.ModelAdmin):
    list_display = ("old", "new", "whole")
    list_filter = ("whole", "new__level", "new__province_code")
    search_fields = ("new__code", "new__name", "old__code", "old__name")
    autocomplete_fields = ["new", "old"]
    list_select_related = ["new", "old"]
