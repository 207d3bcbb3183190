"""The what-if page of a published level: /results/<period>/<level>/what-if/."""

from django.urls import path

from chiso.pages import whatif as views

urlpatterns = [
    path(
        "results/<int:period_id>/<slug:level>/what-if/",
        views.what_if_page,
        name="what_if",
    ),
    path(
        "results/<int:period_id>/<slug:level>/what-if/keep/",
        views.keep_draft,
        name="what_if_keep",
    ),
]
