"""The DX office defines targets here; the DTI history is read here and changed on /province/."""

from django.contrib import admin

from chiso.assessments.admin import ReadOnlyAdmin
from chiso.leadership.models import DtiYear, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "level", "number", "pillar", "by_date", "cumulative")
    list_filter = ("kind", "level")


@admin.register(DtiYear)
class DtiYearAdmin(ReadOnlyAdmin):
    # Entered and imported through the province page, which writes the audit trail.
    list_display = ("year", "rank", "of", "value", "rank_cqs", "rank_kts", "rank_xhs")
