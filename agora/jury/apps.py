from django.apps import AppConfig


class JuryConfig(AppConfig):
    name = "agora.jury"
    label = "jury"
