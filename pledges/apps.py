from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Pledge tracker")

    def ready(self):
        from pledges.services import public_version

        public_version.connect()
