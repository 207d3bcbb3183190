from django.urls import path, re_path

from chiso.api import errors
from chiso.api.api import api


def unknown(request, rest=""):
    return errors.json_error(404)


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown),
]
