"""Excel and CSV round trip of values: templates to download, files to upload."""

from django.urls import path

from chiso.assessments import views

app_name = "values_io"

urlpatterns = [
    path(
        "submissions/<int:submission_id>/template.xlsx",
        views.submission_template,
        name="submission_template",
    ),
    path("submissions/<int:submission_id>/values.csv", views.submission_csv, name="submission_csv"),
    path(
        "submissions/<int:submission_id>/import",
        views.submission_import,
        name="submission_import",
    ),
    path("periods/<int:period_id>/template.xlsx", views.period_template, name="period_template"),
    path("periods/<int:period_id>/values.csv", views.period_csv, name="period_csv"),
    path("periods/<int:period_id>/import", views.period_import, name="period_import"),
]
