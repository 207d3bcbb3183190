from django.urls import path

from chiso.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
