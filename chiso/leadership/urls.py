from django.urls import path

from chiso.leadership import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("results/<int:period_id>/<str:level>/map/", views.map_page, name="results-map"),
    path("province/", views.province_page, name="province"),
    path("province/record/", views.province_record, name="province-record"),
    path("province/import/", views.province_import, name="province-import"),
]
