from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = "Pledge tracker"

    def ready(self):
        from pledges.services import public_version

        public_version.connect()
