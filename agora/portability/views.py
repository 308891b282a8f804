"""Settings pages for the person's own data: "Your data" and sessions, archive export, import, and apps and
tokens (Development, Authorised apps). Each view parses, calls one service or selector, and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.accounts import services as account_services
from agora.accounts import tokens
from agora.accounts.models import User
from agora.core.exceptions import NotAllowed
from agora.core.ratelimit import rate_limited
from agora.portability import selectors, services
from agora.portability.forms import ApplicationForm, ImportForm
from agora.portability.models import ArchiveExport, ImportJob
from agora.web.forms import add_service_errors


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, template: str, section: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "section": section, "nav": "settings"})


# Your data and sessions -----------------------------------------------------------------------------------


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    return _page(
        request,
        "portability/your_data.html",
        "data",
        {
            "stored": selectors.stored_data(me),
            "sessions": selectors.active_sessions(me),
            "current_session_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    ended = account_services.end_all_sessions(user=_me(request), keep_session_key=request.session.session_key)
    messages.success(request, _("Logged out of %(count)d other session(s).") % {"count": ended})
    return redirect("portability:your_data")


# Archive export -----------------------------------------------------------------------------------------


def _export_context(me: User) -> dict[str, Any]:
    archives = list(selectors.archives_of(me)[:5])
    return {
        "archives": archives,
        "working": any(
            item.state in (ArchiveExport.State.QUEUED, ArchiveExport.State.BUILDING) for item in archives
        ),
        "next_allowed_at": services.next_archive_allowed_at(me),
    }


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        try:
            services.request_archive(user=me)
        except NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your archive is being built. We will notify you when it is ready."))
        return redirect("portability:export")
    services.expire_archives()
    return _page(request, "portability/export.html", "export", _export_context(me))


@login_required
def export_status(request: HttpRequest) -> HttpResponse:
    """The archive list alone: the export page polls it (htmx) while an archive is being built."""
    return render(request, "portability/partials/archives.html", _export_context(_me(request)))


@login_required
def download_archive(request: HttpRequest, archive_id: str) -> FileResponse:
    archive, path = services.downloadable_archive(user=_me(request), archive_id=archive_id)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"archive-{_me(request).username}-{archive.created_at:%Y%m%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Import -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("media_upload")
def import_upload(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.prepare_import(
                user=me,
                kind=form.cleaned_data["kind"],
                mode=form.cleaned_data["mode"],
                data=form.cleaned_data["file"].read(services.MAX_IMPORT_BYTES + 1),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("portability:import_detail", import_id=job.pk)
    return _page(
        request, "portability/import.html", "import", {"form": form, "imports": selectors.imports_of(me)[:10]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, import_id: str) -> HttpResponse:
    """The preview (confirm or cancel), then the progress and the report of one import."""
    me = _me(request)
    job = selectors.get_import(me, import_id)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            services.cancel_import(user=me, import_id=job.pk)
            return redirect("portability:import")
        services.confirm_import(user=me, import_id=job.pk)
        return redirect("portability:import_detail", import_id=job.pk)
    context: dict[str, Any] = {"job": job}
    if job.state == ImportJob.State.PREVIEW:
        context["preview"] = selectors.preview_rows(me, job)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "portability/partials/import_state.html", context)
    return _page(request, "portability/import_detail.html", "import", context)


# Apps and tokens ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def development(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = tokens.create_application(
                owner=me,
                name=form.cleaned_data["name"],
                scopes=" ".join(form.cleaned_data["scopes"]),
                website=form.cleaned_data["website"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application %(name)s is created.") % {"name": application.name})
            return redirect(f"{request.path}#app-{application.pk}")
    apps = [(app, tokens.current_token(user=me, application=app)) for app in tokens.own_applications(me)]
    return _page(request, "portability/development.html", "development", {"form": form, "apps": apps})


@login_required
@require_POST
def development_action(request: HttpRequest, application_id: str, action: str) -> HttpResponse:
    me = _me(request)
    if action == "regenerate":
        tokens.regenerate_token(user=me, application_id=int(application_id))
        messages.success(request, _("A new access token is made; the old one no longer works."))
        return redirect(reverse("portability:development") + f"#app-{application_id}")
    tokens.delete_application(user=me, application_id=int(application_id))
    messages.success(request, _("The application and its tokens are deleted."))
    return redirect("portability:development")


@login_required
def authorised_apps(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "portability/authorised_apps.html",
        "apps",
        {"authorisations": tokens.authorised_applications(_me(request))},
    )


@login_required
@require_POST
def revoke_app(request: HttpRequest, application_id: str) -> HttpResponse:
    tokens.revoke_application(user=_me(request), application_id=int(application_id))
    messages.success(request, _("The application no longer has access to your account."))
    return redirect("portability:authorised_apps")
