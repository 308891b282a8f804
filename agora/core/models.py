"""Building blocks every Agora model shares: the public id primary key."""

from __future__ import annotations

from django.db import models

from agora.core.ids import new_id


class AgoraModel(models.Model):
    """Base for every model whose id can appear in a URL, a page or an API response."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)

    class Meta:
        abstract = True
