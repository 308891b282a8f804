"""The moderation plan says what this instance is configured to do, and how it measured up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from agora.accounts.models import User
from agora.moderation import dsa, services
from agora.posts import services as post_services
from agora.transparency import plan, selectors
from agora.transparency.documents import Table, render_html

pytestmark = pytest.mark.django_db
THREAT = "Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."


def tables(document: Any) -> dict[str, Table]:
    return {
        block.key: block
        for section in document.sections
        for block in section.blocks
        if isinstance(block, Table) and block.key
    }


def test_the_plan_reads_thresholds_deadlines_and_team_from_the_configuration(
    settings: Any, moderator: User
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"de": {"review": 0.6, "hold": 0.9}}
    settings.AGORA_MODERATION_DEADLINE_HOURS = {"urgent": 2, "illegal": 12, "other": 96}
    document = plan.build_plan()
    found = tables(document)
    assert found["plan.thresholds"].rows[0][:3] == ["DE", "0.60", "0.90"]
    assert [row[1] for row in found["plan.deadlines"].rows] == ["2.0 h", "12.0 h", "4.0 days"]
    assert found["plan.team"].rows[1][1] == "1"  # the one moderator
    assert [row[0].split(".")[0] for row in found["plan.rules"].rows] == [str(n) for n in range(1, 9)]


def test_the_plan_says_so_when_there_is_no_jury_and_no_surge_mode(monkeypatch: Any) -> None:
    monkeypatch.setattr(plan.apps, "is_installed", lambda name: name != "agora.jury")
    monkeypatch.setattr(selectors, "surge_provider", lambda: None)  # a screening app without surge mode
    html = render_html(plan.build_plan())
    assert "The community jury is not in use on this server" in html
    assert "This server has no surge mode yet" in html


def test_the_plan_lists_the_jury_safeguards_when_the_jury_is_installed(monkeypatch: Any) -> None:
    pytest.importorskip("agora.jury.conf")
    monkeypatch.setattr(plan.apps, "is_installed", lambda name: True)
    html = render_html(plan.build_plan())
    assert "Jury settings and safeguards" in html
    assert "Categories only staff decide" in html and "Violence" in html


def test_a_late_decision_shows_as_a_promise_not_met(alice: User, moderator: User) -> None:
    opened = timezone.now() - datetime.timedelta(days=2)
    with time_machine.travel(opened, tick=False):
        post = post_services.create_post(author=alice, text=THREAT)  # held: 1 h deadline
    case = post.moderation_cases.get()
    with time_machine.travel(opened + datetime.timedelta(hours=3), tick=False):
        services.decide_case(
            case=case,
            action="remove",
            rule=services.Rule.objects.get(number=1),
            moderator=moderator,
            explanation="A call to kill.",
        )
    promises = tables(plan.build_plan())["plan.promises"].rows
    urgent = promises[0]
    assert urgent[0].startswith("Threats and violence: decided within 1.0 h")
    assert "3.0 h median" in urgent[1] and "0 of 1 within the deadline" in urgent[1]
    assert urgent[2] == "not met"
    statements = next(row for row in promises if "statement of reasons" in row[0])
    assert statements[1] == "1 of 1 restrictive decisions" and statements[2] == "met"
    assert dsa.Category.VIOLENCE  # the case was opened in the violence category by screening
