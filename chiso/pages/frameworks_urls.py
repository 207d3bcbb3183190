"""Framework pages: /frameworks/, one version's tree and YAML file, the upload."""

from django.urls import path

from chiso.pages import frameworks as views

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/upload/", views.framework_upload, name="framework_upload"),
    path(
        "frameworks/<slug:code>/v<int:version>/",
        views.framework_detail,
        name="framework_detail",
    ),
    path(
        "frameworks/<slug:code>/v<int:version>/yaml/",
        views.framework_yaml,
        name="framework_yaml",
    ),
]
