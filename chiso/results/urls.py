from django.urls import path

from chiso.results import views

app_name = "results"

urlpatterns = [
    path("results/", views.index, name="index"),
    path("results/<int:period_id>/publish/", views.publish_page, name="publish"),
    path("results/<int:period_id>/<str:level>/", views.ranking_page, name="ranking"),
    path("results/<int:period_id>/<str:level>/ranking.csv", views.ranking_csv, name="csv"),
    path("results/<int:period_id>/<str:level>/ranking.xlsx", views.ranking_xlsx, name="xlsx"),
    path("results/<int:period_id>/<str:level>/values.csv", views.values_csv, name="values"),
    path(
        "results/<int:period_id>/<str:level>/framework.yaml",
        views.framework_yaml,
        name="framework",
    ),
    path("results/<int:period_id>/<str:level>/annex.pdf", views.annex_pdf, name="annex"),
    path(
        "results/<int:period_id>/<str:level>/annex-signed.pdf",
        views.annex_signed_pdf,
        name="annex_signed",
    ),
    path("results/<int:period_id>/<str:level>/annex/sign/", views.annex_sign, name="annex_sign"),
    path("results/<int:period_id>/<str:level>/audit/", views.audit_page, name="audit"),
    path(
        "results/<int:period_id>/<str:level>/sensitivity/",
        views.sensitivity_page,
        name="sensitivity",
    ),
    path(
        "results/<int:period_id>/<str:level>/<str:unit_code>/report.pdf",
        views.report_pdf,
        name="report_pdf",
    ),
    path(
        "results/<int:period_id>/<str:level>/<str:unit_code>/",
        views.report_card,
        name="card",
    ),
]
