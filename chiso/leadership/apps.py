from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    name = "chiso.leadership"
    verbose_name = _("Leadership: targets and the province's DTI")
    default_auto_field = "django.db.models.BigAutoField"
