from django.contrib import admin

from chiso.results.models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Published results are read here, never changed: corrections are new versions."""

    list_display = ("period", "level", "version", "published_at", "published_by", "reason")
    list_filter = ("level",)
    exclude = ("values_csv", "node_codes", "leaf_codes")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
