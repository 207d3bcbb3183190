"""The DX office's marks of indicators that do not apply to units of a period."""

from django.urls import path

from chiso.pages import not_applicable as views

urlpatterns = [
    path("review/periods/<int:pk>/not-applicable/", views.not_applicable, name="not-applicable"),
]
