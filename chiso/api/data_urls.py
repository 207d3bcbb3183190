from django.urls import path

from chiso.api import data_views

app_name = "data"

urlpatterns = [
    path("data/", data_views.index, name="index"),
    path("data/catalog.jsonld", data_views.catalog, name="catalog"),
    path("data/<int:period_id>/<str:level>/", data_views.dataset_page, name="dataset"),
    path(
        "data/<int:period_id>/<str:level>/v<int:version>/",
        data_views.dataset_page,
        name="dataset-version",
    ),
    path(
        "data/<int:period_id>/<str:level>/v<int:version>/<str:name>",
        data_views.dataset_file,
        name="file-version",
    ),
    path("data/<int:period_id>/<str:level>/<str:name>", data_views.dataset_file, name="file"),
]
