"""Rules for moderation tests (the data migration seeds the defaults; these add specific ones)."""

from __future__ import annotations

import factory

from agora.moderation.dsa import Category, Ground
from agora.moderation.models import Rule


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule

    number = factory.Sequence(lambda n: 100 + n)
    title = factory.Sequence(lambda n: f"Rule {n}")
    description = "A rule for tests."
    category = Category.OTHER_VIOLATION_TC
    category_specification = factory.LazyFunction(list)
    ground = Ground.INCOMPATIBLE


def ensure_default_rules() -> None:
    """Seed the default rules again where a transactional test's flush removed what the migration seeded."""
    import importlib

    from agora.core.ids import new_id

    seeded = importlib.import_module("agora.moderation.migrations.0002_default_rules")
    for fields in seeded.DEFAULT_RULES:
        if not Rule.objects.filter(number=fields["number"]).exists():
            Rule.objects.create(id=new_id(), **fields)
