"""Admin pages for roles and the notices sent."""

from django.contrib import admin

from chiso.accounts.models import Membership, SentNotice


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "unit", "level")
    list_filter = ("role", "level")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("user",)
    raw_id_fields = ("unit",)


@admin.register(SentNotice)
class SentNoticeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "sent_at")
    search_fields = ("key",)
