from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "agora.streaming"
    label = "streaming"
    verbose_name = "Streaming"
