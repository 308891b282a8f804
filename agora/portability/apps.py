from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "agora.portability"
    label = "portability"
