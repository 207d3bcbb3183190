"""Data entry and evidence: /submissions/<id>/ and /evidence/<id>/."""

from django.urls import path

from chiso.pages import entry as views

urlpatterns = [
    path("submissions/<int:pk>/", views.entry, name="entry"),
    path("submissions/<int:pk>/preview/", views.preview, name="entry_preview"),
    path("submissions/<int:pk>/evidence/", views.upload_evidence, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/remove/", views.remove_evidence, name="evidence_remove"),
]
