from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "agora.transparency"
    label = "transparency"
