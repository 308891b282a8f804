from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "agora.screening"
    label = "screening"
