from django.urls import path

from chiso.leadership import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("results/<int:period_id>/<str:level>/map/", views.map_page, name="results-map"),
    path("results/<int:period_id>/<str:level>/map.json", views.map_data, name="results-map-data"),
    path("province/", views.province_page, name="province"),
    path("province/data.json", views.province_json, name="province-data"),
    path("province/record/", views.province_record, name="province-record"),
    path("province/import/", views.province_import, name="province-import"),
]
