from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "agora.api"
    label = "api"
    verbose_name = "Client API"

    def ready(self) -> None:
        from agora.api import schema  # noqa: F401  (registers the bearer scheme with drf-spectacular)
