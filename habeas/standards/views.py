"""Starting a check of every record against the standards from the workplace."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from habeas.accounts import access
from habeas.accounts.jobs import job_start
from habeas.accounts.viewer import viewer_of
from habeas.accounts.web import member_required
from habeas.standards.engine import StandardsError
from habeas.standards.services import profile_get
from habeas.standards.tasks import check_all


@member_required
@require_POST
def check_start(request: HttpRequest) -> HttpResponseBase:
    """Queue a check of every record under the chosen profile; the job's page shows its progress."""
    if not access.can_write(viewer_of(request)):
        raise PermissionDenied(_("only members who may record facts may start a check"))
    profile = request.POST.get("profile", "kz")
    try:
        profile_get(profile)
    except StandardsError as exc:
        raise PermissionDenied(str(exc)) from None
    job = job_start(
        kind="check",
        title=_("Check of every record against the %(profile)s profile") % {"profile": profile},
        user=request.user,
        task=check_all,
        profile=profile,
    )
    return redirect("job_detail", pk=job.pk)
