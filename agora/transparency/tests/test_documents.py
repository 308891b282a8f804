"""A seeded instance plus the moderation scenario: the report and the plan are generated, rendered to PDF, and
every PDF page is rendered to an image (pypdfium2) and checked: not blank, numbered in order, and carrying the
sections it should.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from agora.core.seeding import SeedPlan, seed_community
from agora.moderation.models import Appeal, Case, Decision, LawEnforcementNotice, Report, StatementOfReasons
from agora.posts.models import Post
from agora.screening.models import PostScreening
from agora.transparency.scenario import ScenarioError, run_scenario


@pytest.fixture
def seeded_with_scenario(db: None) -> Any:
    seed_community(SeedPlan(users=40, posts=300, seed=5))
    return run_scenario(cases=45, days=28, seed=3)


def ink(image: Image.Image) -> float:
    """Share of pixels that are not (near) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:200]) / (grey.width * grey.height)


def pages(path: Path) -> list[tuple[Image.Image, str]]:
    document = pdfium.PdfDocument(str(path))
    result = []
    for page in document:
        image = page.render(scale=1).to_pil()
        text = page.get_textpage().get_text_range()
        result.append((image, text))
    return result


def check_pages(rendered: list[tuple[Image.Image, str]], *, title: str, headings: list[str]) -> None:
    assert rendered, "the PDF has no pages"
    for number, (image, text) in enumerate(rendered, start=1):
        assert image.size[0] > 500 and image.size[1] > 800  # A4 at 72 dpi: 595 x 842
        assert ink(image) > 0.005, f"page {number} is blank"
        # The footer carries the title and the page number: pages are whole and in order, none extra.
        assert text.splitlines()[0].strip() == f"{title} {number}", f"page {number} has no footer"
    everything = "\n".join(text for _image, text in rendered)
    assert title in rendered[0][1]
    positions = [everything.find(heading) for heading in headings]
    assert all(position >= 0 for position in positions), dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions), "sections out of order"


def test_the_scenario_plays_reports_holds_decisions_and_appeals_through_the_services(
    seeded_with_scenario: Any,
) -> None:
    result = seeded_with_scenario
    assert result.cases == 45
    assert Report.objects.filter(is_illegal_notice=False).exists()
    assert Report.objects.filter(is_illegal_notice=True).exists()
    assert PostScreening.objects.filter(decision="hold").exists()
    assert Case.objects.filter(source=Case.Source.SCREENING).exists()
    assert Decision.objects.filter(action=Decision.Action.REMOVE).exists()
    assert Decision.objects.filter(action=Decision.Action.DISMISS).exists()
    assert Appeal.objects.exclude(state=Appeal.State.PENDING).exists()
    assert LawEnforcementNotice.objects.exists()
    # Every restriction got its statement of reasons, as the services write them.
    restrictive = Decision.objects.filter(action__in=sorted(Decision.RESTRICTIVE))
    assert StatementOfReasons.objects.count() == restrictive.count() > 0
    # Spread over the past four weeks, never in the future.
    opened = list(Case.objects.values_list("opened_at", flat=True))
    assert min(opened) < timezone.now() - datetime.timedelta(days=7)
    assert max(opened) <= timezone.now()
    # Screening held some posts and some are still waiting for a moderator, like a real queue.
    assert Post.objects.filter(moderation_state="removed").exists()


def test_the_scenario_needs_a_seeded_community(db: None) -> None:
    with pytest.raises(ScenarioError, match="agora seed"):
        run_scenario(cases=3)


def test_report_and_plan_render_to_pdf_pages_that_look_right(
    seeded_with_scenario: Any, tmp_path: Path
) -> None:
    today = timezone.now().date()
    report_pdf, plan_pdf = tmp_path / "report.pdf", tmp_path / "plan.pdf"
    call_command(
        "moderation", "report", "--from", str(today - datetime.timedelta(days=30)), "--to", str(today),
        "--format", "pdf", "--output", str(report_pdf),
    )  # fmt: skip
    call_command("moderation", "plan", "--format", "pdf", "--output", str(plan_pdf))
    assert report_pdf.read_bytes().startswith(b"%PDF-")

    report_pages = pages(report_pdf)
    assert 2 <= len(report_pages) <= 8
    check_pages(
        report_pages,
        title="Transparency report",
        headings=[
            "1. Notices of illegal content",
            "2. Cases and own-initiative moderation",
            "3. Moderation decisions",
            "4. Use of automated means",
            "5. Complaints against decisions",
            "6. Suspensions",
            "7. Notifications of suspected criminal offences",
            "8. Orders from authorities",
        ],
    )
    plan_pages = pages(plan_pdf)
    assert 2 <= len(plan_pages) <= 10
    check_pages(
        plan_pages,
        title="Moderation plan",
        headings=[
            "1. Summary",
            "Measured performance against each promise",
            "2. Rules and categories",
            "3. Automated screening and the hold policy",
            "4. Review queue and deadlines",
            "5. Team",
            "6. Community jury",
            "7. Statements of reasons and appeals",
            "8. Threats to life and law enforcement",
            "9. Surge mode",
            "10. What users can do",
        ],
    )
    plan_text = "\n".join(text for _image, text in plan_pages)
    assert "No calls to violence" in plan_text  # rule 1, from the database
    assert "agora-threat-patterns@1" in plan_text  # the screening actually configured in tests


def test_the_plan_as_html_describes_the_configuration(
    seeded_with_scenario: Any, tmp_path: Path, settings: Any
) -> None:
    settings.AGORA_MODERATION_DEADLINE_HOURS = {"urgent": 2, "illegal": 12, "other": 72}
    out = tmp_path / "plan.html"
    call_command("moderation", "plan", "--output", str(out))
    html = out.read_text()
    assert "<h1>Moderation plan</h1>" in html
    assert "12.0 h" in html and "3.0 days" in html  # the configured deadlines
    assert "6. No spam, scams or deception" in html
