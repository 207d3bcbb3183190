"""URL map of chiso: pages in Vietnamese (default) or English, the API, health."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from chiso.core import views as core_views

admin.site.site_header = _("chiso back office")
admin.site.site_title = _("chiso back office")
admin.site.index_title = _("Digital transformation assessment of Thanh Hóa province")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("favicon.ico", core_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("chiso.api.urls")),
    path("", include("chiso.api.data_urls")),
    path("accounts/", include("chiso.accounts.urls")),
    path("", include("chiso.pages.review_urls")),
    path("", include("chiso.pages.not_applicable_urls")),
    path("", include("chiso.assessments.urls")),
    path("", include("chiso.pages.entry_urls")),
    path("", include("chiso.pages.framework_excel_urls")),
    path("", include("chiso.pages.frameworks_urls")),
    # Before results' URLs: /results/<period>/<level>/map/ is not a unit's report card.
    path("", include("chiso.leadership.urls")),
    path("", include("chiso.pages.whatif_urls")),
    path("", include("chiso.results.urls")),
    path("", include("chiso.core.urls")),
]

# A database that is down gives the 503 page ("try again in a few minutes"), not a 500.
handler500 = "chiso.core.views.server_error"
