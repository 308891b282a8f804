"""Moderation pages: reporting from posts, profiles and the public form, statements, the moderators' pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import dsa, services
from agora.moderation.models import AuditEvent, Case, Report, Rule
from agora.posts import services as post_services
from agora.posts.models import ModerationState

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_terms_page_shows_the_rules_from_the_database_and_signup_links_to_them() -> None:
    rule = Rule.objects.get(number=1)
    page = _client().get(reverse("web:terms")).content.decode()
    assert rule.title in page and 'id="rule-1"' in page and "§ 241 StGB" in page
    Rule.objects.filter(pk=rule.pk).update(title="No threats, ever")
    assert "No threats, ever" in _client().get(reverse("web:terms")).content.decode()
    assert reverse("web:terms") + "#rules" in _client().get(reverse("web:signup")).content.decode()


def test_contact_page_shows_the_point_of_contact(settings: object) -> None:
    settings.AGORA_CONTACT_OPERATOR = "Agora e.V."  # type: ignore[attr-defined]
    settings.AGORA_CONTACT_EMAIL = "safety@agora.example"  # type: ignore[attr-defined]
    settings.AGORA_CONTACT_ADDRESS = "Hauptstraße 1\n10115 Berlin"  # type: ignore[attr-defined]
    page = _client().get(reverse("moderation:contact")).content.decode()
    assert "Agora e.V." in page and "mailto:safety@agora.example" in page and "10115 Berlin" in page


def test_post_cards_and_profiles_have_a_report_action(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="hello there")
    page = _client(bob).get(reverse("web:thread", args=["alice", post.pk])).content.decode()
    assert reverse("moderation:report_post", args=[post.pk]) in page
    profile = _client(bob).get(reverse("web:profile", args=["alice"])).content.decode()
    assert reverse("moderation:report_account", args=["alice"]) in profile
    # Logged out, the card links to the public notice form with the post's address filled in.
    anonymous = _client().get(reverse("web:thread", args=["alice", post.pk])).content.decode()
    assert reverse("moderation:notice") + "?url=" in anonymous
    # No reporting one's own post.
    own = _client(alice).get(reverse("web:thread", args=["alice", post.pk])).content.decode()
    assert reverse("moderation:report_post", args=[post.pk]) not in own


def test_reporting_a_post_through_the_form(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="hello there")
    url = reverse("moderation:report_post", args=[post.pk])
    assert _client(bob).get(url).status_code == 200
    bad = _client(bob).post(url, {"category": dsa.Category.VIOLENCE, "explanation": ""})
    assert bad.status_code == 200 and Report.objects.count() == 0
    done = _client(bob).post(
        url,
        {
            "category": dsa.Category.VIOLENCE,
            "rules": [str(Rule.objects.get(number=1).pk)],
            "explanation": "A threat.",
        },
    )
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    report = Report.objects.get()
    assert report.reporter == bob and list(report.rules.values_list("number", flat=True)) == [1]


def test_reporting_an_account(alice: User, bob: User) -> None:
    url = reverse("moderation:report_account", args=["alice"])
    _client(bob).post(url, {"category": dsa.Category.SCAMS_AND_FRAUD, "explanation": "Impersonates a bank."})
    assert Case.objects.get().subject_type == Case.SubjectType.ACCOUNT
    assert _client(bob).get(reverse("moderation:report_account", args=["nobody"])).status_code == 404
    assert _client().get(url).status_code == 302  # logged out: log in first


def test_logged_out_visitor_reports_illegal_content_by_url(alice: User) -> None:
    post = post_services.create_post(author=alice, text="illegal")
    thread = "http://localhost" + reverse("web:thread", args=["alice", post.pk])
    url = reverse("moderation:notice")
    assert thread in _client().get(url, {"url": thread}).content.decode()
    missing_bona_fide = _client().post(
        url, {"url": thread, "category": dsa.Category.VIOLENCE, "explanation": "x"}
    )
    assert missing_bona_fide.status_code == 200 and not Report.objects.exists()
    wrong = _client().post(
        url,
        {
            "url": "https://elsewhere.example/@x",
            "category": dsa.Category.VIOLENCE,
            "explanation": "x",
            "bona_fide": "on",
        },
    )
    assert "not on this server" in wrong.content.decode()
    not_a_post = _client().post(
        url,
        {
            "url": "http://localhost/about",
            "category": dsa.Category.VIOLENCE,
            "explanation": "x",
            "bona_fide": "on",
        },
    )
    assert "not a post or a profile" in not_a_post.content.decode()
    done = _client().post(
        url, {"url": thread, "category": dsa.Category.VIOLENCE, "explanation": "A threat.", "bona_fide": "on"}
    )
    assert done.status_code == 200
    report = Report.objects.get()
    assert report.is_illegal_notice and report.reporter is None and report.case.post == post


def test_statement_page_is_for_the_people_involved_only(
    alice: User, bob: User, carol: User, moderator: User
) -> None:
    post = post_services.create_post(author=alice, text="bad")
    case = services.create_report(
        reporter=bob, post=post, category=dsa.Category.VIOLENCE, explanation="x"
    ).case
    decision = services.decide_case(
        case=case,
        action="remove",
        rule=Rule.objects.get(number=1),
        explanation="Threat.",
        moderator=moderator,
    )
    url = reverse("moderation:statement", args=[decision.pk])
    page = _client(alice).get(url).content.decode()
    assert "Statement of reasons" in page and 'data-testid="appeal"' in page and "out-of-court" in page
    assert _client(bob).get(url).status_code == 200
    assert _client(carol).get(url).status_code == 404
    assert _client().get(url).status_code == 302
    # The author sees the removed post with its banner; others get a 404.
    assert _client(alice).get(reverse("web:thread", args=["alice", post.pk])).status_code == 200
    assert _client(carol).get(reverse("web:thread", args=["alice", post.pk])).status_code == 404
    response = _client(alice).post(reverse("moderation:appeal", args=[decision.pk]), {"text": "Unfair."})
    assert response.status_code == 302 and decision.appeals.count() == 1


def test_moderator_decides_from_the_case_page(alice: User, bob: User, moderator: User) -> None:
    post = post_services.create_post(author=alice, text="bad words")
    case = services.create_report(
        reporter=bob, post=post, category=dsa.Category.VIOLENCE, explanation="x"
    ).case
    client = _client(moderator)
    page = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "bad words" in page and 'data-testid="decide-form"' in page
    assert client.post(reverse("moderation:case_action", args=[case.pk, "claim"])).status_code == 302
    client.post(reverse("moderation:case_action", args=[case.pk, "note"]), {"text": "Looks like a threat."})
    missing_rule = client.post(
        reverse("moderation:case_action", args=[case.pk, "decide"]),
        {"action": "remove", "explanation": "Threat."},
    )
    assert missing_rule.status_code == 400 and "Name the rule" in missing_rule.content.decode()
    done = client.post(
        reverse("moderation:case_action", args=[case.pk, "decide"]),
        {"action": "remove", "rule": str(Rule.objects.get(number=1).pk), "explanation": "Threat."},
    )
    assert done.status_code == 302
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.REMOVED
    assert _client(bob).get(reverse("web:public")).content.decode().count("bad words") == 0
    assert list(AuditEvent.objects.filter(case=case).values_list("event", flat=True))[-5:] == [
        "case.note", "decision.remove", "statement.issued", "strike.added", "reporters.notified",
    ]  # fmt: skip


def test_audit_log_and_rules_are_for_admins(alice: User, bob: User, moderator: User) -> None:
    admin = UserFactory(role=User.Role.ADMIN)
    post = post_services.create_post(author=alice, text="x")
    case = services.create_report(
        reporter=bob, post=post, category=dsa.Category.VIOLENCE, explanation="x"
    ).case
    assert _client(moderator).get(reverse("moderation:audit")).status_code == 403
    page = (
        _client(admin)
        .get(reverse("moderation:audit"), {"event": "report", "case": str(case.pk)})
        .content.decode()
    )
    assert "report.created" in page and "case.opened" not in page
    assert (
        "No events." in _client(admin).get(reverse("moderation:audit"), {"case": "nonsense"}).content.decode()
    )
    assert _client(moderator).get(reverse("moderation:rules")).status_code == 403
    rule = Rule.objects.get(number=6)
    url = reverse("moderation:edit_rule", args=[rule.pk])
    data = {
        "number": 6, "title": "No spam", "description": "", "category": dsa.Category.SCAMS_AND_FRAUD,
        "category_specification": ["KEYWORD_PHISHING"], "ground": dsa.Ground.ILLEGAL, "legal_ground": "",
        "strike_severity": 1, "strike_expiry_days": 90, "is_active": "on",
    }  # fmt: skip
    refused = _client(admin).post(url, data)
    assert refused.status_code == 200 and "must name the law" in refused.content.decode()
    data["ground"] = dsa.Ground.INCOMPATIBLE
    assert _client(admin).post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.title == "No spam" and rule.category_specification == ["KEYWORD_PHISHING"]
    event = AuditEvent.objects.get(event="rule.saved")
    assert event.before["title"] == "No spam, scams or deception" and event.after["title"] == "No spam"


def test_muted_words_settings_page(bob: User) -> None:
    client = _client(bob)
    client.post(reverse("moderation:muted_words"), {"word": "Spoilers"})
    page = client.get(reverse("moderation:muted_words")).content.decode()
    assert "spoilers" in page
    word = bob.muted_words.get()
    client.post(reverse("moderation:unmute_word", args=[word.pk]))
    assert not bob.muted_words.exists()


def test_moderators_see_the_nav_link_and_notices_page_lists_outcomes(
    alice: User, bob: User, moderator: User
) -> None:
    assert 'data-testid="nav-moderation"' in _client(moderator).get(reverse("web:public")).content.decode()
    assert 'data-testid="nav-moderation"' not in _client(bob).get(reverse("web:public")).content.decode()
    post = post_services.create_post(author=alice, text="x")
    case = services.create_report(
        reporter=bob, post=post, category=dsa.Category.VIOLENCE, explanation="x"
    ).case
    services.decide_case(case=case, action="dismiss", explanation="Fine.", moderator=moderator)
    notifications = _client(bob).get(reverse("web:notifications")).content.decode()
    assert 'data-testid="moderation-notice"' in notifications
    notices = _client(bob).get(reverse("moderation:notices")).content.decode()
    assert "does not break the rules" in notices


def test_moderator_assigns_a_case_to_a_colleague(alice: User, bob: User, moderator: User) -> None:
    colleague = UserFactory(username="colleague", role=User.Role.MODERATOR)
    post = post_services.create_post(author=alice, text="x")
    case = services.create_report(
        reporter=bob, post=post, category=dsa.Category.VIOLENCE, explanation="x"
    ).case
    url = reverse("moderation:case_action", args=[case.pk, "claim"])
    refused = _client(moderator).post(url, {"assignee": "bob"})
    assert refused.status_code == 400 and "Choose a moderator" in refused.content.decode()
    _client(moderator).post(url, {"assignee": "colleague"})
    case.refresh_from_db()
    assert case.assigned_to == colleague
    mine = _client(colleague).get(reverse("moderation:queue"), {"mine": "1"}).content.decode()
    assert str(case.pk) in mine


def test_rules_are_machine_readable_too() -> None:
    data = _client().get(reverse("moderation:rules_json")).json()
    first = data["rules"][0]
    assert first["number"] == 1 and first["category"] == dsa.Category.VIOLENCE
    assert "§ 241 StGB" in first["legal_ground"]
