"""Pages of places of detention: the register, one place's page, and the map of places and transfers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from habeas.accounts import access
from habeas.accounts.services import audit_record
from habeas.accounts.viewer import Viewer, viewer_of
from habeas.accounts.web import RecordPages, member_required, render_page
from habeas.files import maps
from habeas.files import place_selectors as read
from habeas.registry.forms import OrganisationForm, PlaceForm
from habeas.registry.models import Locality, Organisation, Place
from habeas.reports.clock import clock_items

PER_PAGE = 25
#: the stays listed beside the map (and drawn on it), per page of the table
STAYS_PER_PAGE = 30
#: localities named on a map for orientation, besides those of the places and homes drawn
CONTEXT_LABELS = 40


class PlaceFilter(forms.Form):
    """The register's filters: by kind of place, by operating authority, by words of the name."""

    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("any type")), *Place.Kind.choices])
    authority = forms.ModelChoiceField(
        label=_("Authority"), required=False, queryset=Organisation.objects.none(), empty_label=_("any authority")
    )
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)

    def __init__(self, data: Any, *, viewer: Viewer) -> None:
        super().__init__(data)
        self.fields["authority"].queryset = read.authorities_visible(viewer)  # type: ignore[attr-defined]
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "There is no type of place called “%(value)s”: choose one from the list."
        )
        self.fields["authority"].error_messages["invalid_choice"] = _(
            "That authority is not one that runs a place you can see: choose one from the list."
        )

    def places(self, viewer: Viewer) -> QuerySet[Place]:
        """The places the valid filters select (an invalid filter is left out, and its message shown)."""
        self.is_valid()
        wanted = getattr(self, "cleaned_data", {})
        return read.places_visible(
            viewer, kind=wanted.get("kind") or "", authority=wanted.get("authority"), text=wanted.get("q") or ""
        )


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@member_required
def place_list(request: HttpRequest) -> HttpResponse:
    """The register of places of detention the user may see, filtered and paged."""
    form = PlaceFilter(request.GET or None, viewer=viewer_of(request))
    page = Paginator(form.places(viewer_of(request)), PER_PAGE).get_page(request.GET.get("page"))
    tallies = read.tallies(viewer_of(request), [p.pk for p in page])
    context = {
        "title": _("Places of detention"),
        "form": form,
        "page": page,
        "rows": [(place, tallies[place.pk]) for place in page],
        "query": _query_without_page(request),
    }
    return render_page(request, "files/place_list.html", context, partial="register")


@member_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One place: its facts, its people, measures, findings and visits, and a small map."""
    place = access.get_for_user(Place, viewer_of(request), pk)
    audit_record(action="read", actor=request.user, target_type=place._meta.label_lower, target_id=str(place.pk))

    def rendered() -> str:
        file = read.place_file(viewer_of(request), place)
        dots = []
        if file.position is not None:
            dots.append(
                maps.Dot(
                    file.position.lat,
                    file.position.lon,
                    place.name,
                    file.tally.people,
                    approximate=file.position.approximate,
                )
            )
        context = {
            "viewer": viewer_of(request),
            "place": place,
            "file": file,
            "map": _map(
                str(_("Map of %(place)s, with where its people came from and their homes") % {"place": place.name}),
                dots,
                file.stays,
                width=460,
                height=320,
            ),
        }
        return render_to_string("files/place_file.html", context)

    main = rendered()
    clock = clock_items(viewer_of(request), now=timezone.now(), place=place)
    return render_page(request, "files/place_detail.html", {"title": place.name, "main": main, "clock": clock})


@member_required
def place_map(request: HttpRequest) -> HttpResponse:
    """The places the user may see as dots sized by the people held, with the latest stays drawn as lines from
    the place before and from home, and listed beside the map with the distance from home."""
    form = PlaceFilter(request.GET or None, viewer=viewer_of(request))
    places = form.places(viewer_of(request))
    everywhere = list(places)
    where = read.located(everywhere)
    tallies = read.tallies(viewer_of(request), [p.pk for p in everywhere])
    stays_page = Paginator(read.stays_visible(viewer_of(request), places), STAYS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    stays = read.stays_of(stays_page.object_list)
    dots = [
        maps.Dot(
            where[p.pk].lat,
            where[p.pk].lon,
            p.name,
            tallies[p.pk].people,
            approximate=where[p.pk].approximate,
            href=reverse("place_detail", args=[p.pk]),
        )
        for p in everywhere
        if p.pk in where
    ]
    context = {
        "title": _("Map of places of detention"),
        "form": form,
        "map": _map(str(_("Places of detention and transfers")), dots, stays),
        "stays": stays,
        "page": stays_page,
        "unplaced": [p for p in everywhere if p.pk not in where],
        "query": _query_without_page(request),
    }
    return render_page(request, "files/place_map.html", context, partial="register")


def _map(
    title: str, dots: list[maps.Dot], stays: Sequence[read.Stay], *, width: int = 760, height: int = 480
) -> SafeString:
    """The SVG map of ``dots`` with the stays' moves: a line from the place before (a transfer) and a dashed
    line from home, home as a small square; the gazetteer's settlements in view named for orientation."""
    lines: list[maps.Line] = []
    homes: dict[int, maps.Dot] = {}
    named: dict[int, Locality] = {}
    for stay in stays:
        if stay.place_at is None:
            continue
        if stay.from_at is not None and stay.came_from is not None:
            lines.append(
                maps.Line(
                    stay.from_at.lat,
                    stay.from_at.lon,
                    stay.place_at.lat,
                    stay.place_at.lon,
                    label=f"{stay.person}: {stay.came_from} → {stay.place}",
                )
            )
        if stay.home_at is not None and stay.home is not None:
            lines.append(
                maps.Line(
                    stay.home_at.lat,
                    stay.home_at.lon,
                    stay.place_at.lat,
                    stay.place_at.lon,
                    kind="home-link",
                    label=f"{stay.person}: {stay.home} → {stay.place} {stay.distance_text}",
                )
            )
            homes.setdefault(
                stay.home.pk,
                maps.Dot(
                    stay.home_at.lat,
                    stay.home_at.lon,
                    str(stay.home),
                    kind="home",
                    approximate=stay.home_at.approximate,
                ),
            )
            named[stay.home.pk] = stay.home
    shown = dots + list(homes.values())
    points = [(d.lat, d.lon) for d in shown] + [p for ln in lines for p in ((ln.lat1, ln.lon1), (ln.lat2, ln.lon2))]
    labels = [maps.Label(d.lat, d.lon, d.label) for d in homes.values()]
    if points:
        box = maps.Projection.fitted(points, width=width, height=height)
        labels += _settlements(box, exclude=named)
    return mark_safe(maps.draw(title=title, dots=shown, lines=lines, labels=labels, width=width, height=height))


def _settlements(box: maps.Projection, *, exclude: Iterable[int]) -> list[maps.Label]:
    """Settlements of the gazetteer inside the map, for orientation (a few dozen at most)."""
    rows = (
        Locality.objects.filter(
            kind=Locality.Kind.SETTLEMENT,
            latitude__gte=box.south,
            latitude__lte=box.north,
            longitude__gte=box.west,
            longitude__lte=box.east,
        )
        .exclude(pk__in=list(exclude))
        .order_by("name")
        .values_list("latitude", "longitude", "name")[:CONTEXT_LABELS]
    )
    return [maps.Label(lat, lon, name) for lat, lon, name in rows if lat is not None and lon is not None]


# Adding and changing places and organisations (see ``habeas.accounts.web.RecordPages``) ------------------------------

PLACE = RecordPages(PlaceForm, _("Place of detention"), back=lambda place: reverse("place_detail", args=[place.pk]))
ORGANISATION = RecordPages(OrganisationForm, _("Organisation"))
