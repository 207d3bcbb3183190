"""Frameworks to and from Excel criteria tables."""

from django.urls import path

from chiso.pages import framework_excel as excel_views

app_name = "framework_excel"

urlpatterns = [
    path("frameworks/import-excel", excel_views.import_excel, name="import"),
    path("frameworks/import-excel/template.xlsx", excel_views.blank_template, name="blank"),
    path("frameworks/<int:framework_id>/criteria.xlsx", excel_views.export_excel, name="export"),
]
