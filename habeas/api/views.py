"""The page of a user's API tokens: create one (shown once, on the answer to the creation), see and revoke
them. The same services as ``habeas token``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from habeas.accounts.sites import second_factor_required
from habeas.accounts.web import member_required, render_page
from habeas.api.models import ApiToken
from habeas.api.services import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("what the token is for, e.g. the intake app"))
    code = forms.CharField(label=_("code of your authenticator"), max_length=12, required=False)


def _page(request: HttpRequest, form: TokenForm, secret: str = "", status: int = 200) -> HttpResponse:
    user: Any = request.user  # logged in (member_required)
    context = {
        "title": _("API tokens"),
        "tokens": ApiToken.objects.filter(user=user),
        "form": form,
        "secret": secret,
        "needs_code": second_factor_required(request.user),
    }
    return render_page(request, "api/tokens.html", context, status=status)


@member_required
def api_tokens(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _page(request, TokenForm())
    if "revoke" in request.POST:
        user: Any = request.user
        number = request.POST["revoke"]
        token = ApiToken.objects.filter(user=user, pk=number).first() if number.isdigit() and len(number) < 19 else None
        if token is None:
            raise Http404("no such token of yours")
        token_revoke(token=token, actor=request.user)
        return redirect("api_tokens")
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, secret = token_create(user=request.user, name=form.cleaned_data["name"], code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return _page(request, TokenForm(), secret=secret)
    return _page(request, form, status=422)
