from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "agora.timelines"
    label = "timelines"
