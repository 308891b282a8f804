"""The dashboard (moderators only) and the public transparency page with its period form and downloads."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from agora.accounts.models import User
from agora.moderation import dsa, services
from agora.moderation.models import Case
from agora.posts import services as post_services
from agora.transparency import selectors

THREAT = "@bob Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."
pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_is_for_moderators_only(alice: User) -> None:
    assert Client().get("/moderation/dashboard").status_code == 302  # to the log-in page
    assert logged_in(alice).get("/moderation/dashboard").status_code == 403


def test_the_dashboard_shows_the_queue_holds_and_an_honest_surge_and_jury_state(
    alice: User, bob: User, moderator: User, monkeypatch: Any
) -> None:
    post_services.create_post(author=alice, text=THREAT)  # held by screening: an urgent case
    bob_post = post_services.create_post(author=bob, text="Cheap watches, click here")
    services.create_report(
        reporter=alice, post=bob_post, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Scam."
    )
    monkeypatch.setattr(selectors.apps, "is_installed", lambda name: name != "agora.jury")
    monkeypatch.setattr(selectors, "surge_provider", lambda: None)  # a screening app without surge mode
    page = logged_in(moderator).get("/moderation/dashboard")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="tile-open"><strong>2</strong>' in html
    assert 'data-testid="tile-held"><strong>1</strong>' in html
    assert "surge mode: not available on this server" in html
    assert "The community jury is not in use on this server" in html
    assert html.count('<svg class="chart"') == 4 and 'role="img"' in html
    assert 'aria-current="page"' in html and "Dashboard" in html


def test_surge_mode_comes_from_the_screening_app(db: None) -> None:
    pytest.importorskip("agora.screening.surge")
    status = selectors.surge_status()
    assert status.available and not status.active


def test_without_a_surge_mode_in_screening_the_audit_log_speaks_or_it_is_not_available(
    db: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(selectors, "surge_provider", lambda: None)  # as before screening had one
    assert selectors.surge_status().available is False
    services.record_event(
        event="screening.surge_started", actor=None, actor_kind="screening", reason="12 holds in 10 min"
    )
    status = selectors.surge_status()
    assert status.available and status.active and status.detail == "12 holds in 10 min"
    services.record_event(event="screening.surge_ended", actor=None, actor_kind="screening")
    assert selectors.surge_status().active is False


def test_jury_metrics_count_the_jury_s_decisions_and_their_reversals(
    alice: User, moderator: User, monkeypatch: Any
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(selectors.apps, "is_installed", lambda name: True)

    case = services.open_or_join_case(
        source=Case.Source.JURY, category=dsa.Category.OTHER_VIOLATION_TC, account=alice
    )
    services.decide_case(
        case=case,
        action="dismiss",
        explanation="The jury found no breach.",
        decided_by="jury",
        moderator=None,
    )
    now = timezone.now()
    figures = selectors.jury_figures(now - datetime.timedelta(days=1), now + datetime.timedelta(seconds=1))
    assert figures.installed and figures.decisions == 1 and figures.appealed == 0


def test_the_public_report_defaults_to_this_year_and_offers_downloads(alice: User, bob: User) -> None:
    post = post_services.create_post(author=bob, text="Buy followers now")
    services.create_report(
        reporter=alice, post=post, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Spam."
    )
    page = Client().get("/about/transparency")
    html = page.content.decode()
    assert page.status_code == 200
    assert "1. Notices of illegal content and reports" in html
    assert 'data-figures="notices.by_source"' in html
    assert "/about/transparency.pdf?start=" in html


def test_the_public_report_refuses_a_reversed_period_with_a_form_error() -> None:
    page = Client().get("/about/transparency", {"start": "2026-05-01", "end": "2026-04-01"})
    assert page.status_code == 400
    assert "The period must end on or after its first day." in page.content.decode()
    assert Client().get("/about/transparency", {"start": "yesterday", "end": ""}).status_code == 400


def test_downloads_come_in_each_format_with_the_same_figures(alice: User, bob: User) -> None:
    post = post_services.create_post(author=bob, text="Buy followers now")
    services.create_report(
        reporter=alice, post=post, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Spam."
    )
    today = datetime.date.today()
    period = {
        "start": str(today - datetime.timedelta(days=1)),
        "end": str(today + datetime.timedelta(days=1)),
    }
    as_json = Client().get("/about/transparency.json", period)
    assert as_json.status_code == 200
    assert json.loads(as_json.content)["notices"]["total"] == 1
    as_csv = Client().get("/about/transparency.csv", period)
    assert "notices,total,1" in as_csv.content.decode()
    as_pdf = Client().get("/about/transparency.pdf", period)
    assert as_pdf["Content-Type"] == "application/pdf" and as_pdf.content.startswith(b"%PDF-")
    assert Client().get("/about/transparency.xml", period).status_code == 404
    bad = Client().get("/about/transparency.json", {"start": "2026-02-30", "end": "2026-03-01"})
    assert bad.status_code == 400 and b"Invalid period" in bad.content


def test_moderators_download_the_plan(alice: User, moderator: User) -> None:
    assert logged_in(alice).get("/moderation/plan.pdf").status_code == 403
    pdf = logged_in(moderator).get("/moderation/plan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    html = logged_in(moderator).get("/moderation/plan.html").content.decode()
    assert "<h1>Moderation plan</h1>" in html and "1. Summary" in html
    assert logged_in(moderator).get("/moderation/plan.doc").status_code == 404


def test_the_pages_render_in_german(moderator: User) -> None:
    client = logged_in(moderator)
    for url in ("/moderation/dashboard", "/about/transparency", "/moderation/plan.html"):
        page = client.get(url, headers={"accept-language": "de"})
        assert page.status_code == 200
        assert 'lang="de"' in page.content.decode()
