"""Transparency pages: the moderators' dashboard, and the public transparency report with period selection and
downloads (PDF, JSON, CSV). Each view parses, calls a selector or builder, and renders.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agora.moderation.views import moderator_required
from agora.transparency import dashboard as dashboard_builder
from agora.transparency import report
from agora.transparency.documents import render_html
from agora.transparency.forms import PeriodForm
from agora.transparency.pdf import render_pdf
from agora.transparency.plan import build_plan
from agora.transparency.selectors import dashboard_figures

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@require_GET
@moderator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures()
    return render(
        request,
        "transparency/dashboard.html",
        {
            "nav": "moderation",
            "figures": figures,
            "charts": dashboard_builder.charts(figures),
            "open_rows": [
                (dashboard_builder.band_label(band), count, figures["overdue_by_priority"][band])
                for band, count in figures["open_by_priority"].items()
            ],
        },
    )


def _period(request: HttpRequest) -> PeriodForm:
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET)
    return PeriodForm(PeriodForm.default_period())


@require_GET
def public_report(request: HttpRequest) -> HttpResponse:
    form = _period(request)
    context: dict[str, object] = {"form": form}
    status = 200
    if form.is_valid():
        _figures, document = report.build_report(form.cleaned_data["start"], form.cleaned_data["end"])
        context["document"] = document
        context["query"] = f"start={form.cleaned_data['start']}&end={form.cleaned_data['end']}"
    else:
        status = 400
    return render(request, "transparency/public_report.html", context, status=status)


@require_GET
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404(fmt)
    form = _period(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            _("Invalid period: %(errors)s") % {"errors": errors}, status=400, content_type="text/plain"
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures, document = report.build_report(start, end)
    body: str | bytes
    if fmt == "json":
        body = report.to_json(figures)
    elif fmt == "csv":
        body = report.to_csv(figures)
    elif fmt == "pdf":
        body = render_pdf(document)
    else:
        body = render_html(document)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="transparency-{start}-{end}.{fmt}"'
    return response


@require_GET
@moderator_required
def plan_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The moderation plan as a printable page or a PDF, for the team to hand over."""
    if fmt not in ("html", "pdf"):
        raise Http404(fmt)
    document = build_plan()
    if fmt == "html":
        return HttpResponse(render_html(document), content_type=CONTENT_TYPES["html"])
    response = HttpResponse(render_pdf(document), content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = 'attachment; filename="moderation-plan.pdf"'
    return response
