from django.urls import path

from chiso.results import whatif_views

urlpatterns = [
    path(
        "results/<int:period_id>/<slug:level>/what-if/",
        whatif_views.what_if_page,
        name="what_if",
    ),
    path(
        "results/<int:period_id>/<slug:level>/what-if/keep/",
        whatif_views.keep_draft,
        name="what_if_keep",
    ),
]
