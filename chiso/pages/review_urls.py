"""URLs of review and approval, and of the audit trail (included from chiso/urls.py)."""

from django.urls import path

from chiso.pages import review as views

urlpatterns = [
    path("review/", views.queue, name="review-queue"),
    path("review/bulk/", views.bulk, name="review-bulk"),
    path("review/<int:pk>/", views.detail, name="review-detail"),
    path("review/<int:pk>/comment/", views.comment, name="review-comment"),
    path("review/<int:pk>/correct/", views.correct, name="review-correct"),
    path("review/<int:pk>/status/", views.change_status, name="review-status"),
    path("audit/submissions/<int:pk>/", views.submission_trail, name="audit-submission"),
    path(
        "audit/submissions/<int:pk>/csv/", views.submission_trail_csv, name="audit-submission-csv"
    ),
    path("audit/periods/<int:pk>/", views.period_trail, name="audit-period"),
    path("audit/periods/<int:pk>/csv/", views.period_trail_csv, name="audit-period-csv"),
]
