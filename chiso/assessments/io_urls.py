"""Excel and CSV round trip of values: templates to download, files to upload."""

from django.urls import path

from chiso.assessments import io_views

app_name = "values_io"

urlpatterns = [
    path(
        "submissions/<int:submission_id>/template.xlsx",
        io_views.submission_template,
        name="submission_template",
    ),
    path(
        "submissions/<int:submission_id>/values.csv", io_views.submission_csv, name="submission_csv"
    ),
    path(
        "submissions/<int:submission_id>/import",
        io_views.submission_import,
        name="submission_import",
    ),
    path("periods/<int:period_id>/template.xlsx", io_views.period_template, name="period_template"),
    path("periods/<int:period_id>/values.csv", io_views.period_csv, name="period_csv"),
    path("periods/<int:period_id>/import", io_views.period_import, name="period_import"),
]
