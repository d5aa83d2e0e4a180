"""Reads of the listings: the list (filters, columns, export), a subject's listings and their
history, the chains in use, and the level kept on enterprises and parks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter
from keepline.core.scopes import Actor, get_for, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region, WhitelistLevel
from keepline.places.selectors import region_choices
from keepline.whitelist.models import Category, WhitelistListing

LEVEL_RANK = {WhitelistLevel.CITY: 1, WhitelistLevel.PROVINCE: 2, WhitelistLevel.NATIONAL: 3}


def subject_filter(subject: Enterprise | Park) -> dict[str, Any]:
    return {"enterprise": subject} if isinstance(subject, Enterprise) else {"park": subject}


def search_subject(qs: QuerySet[Any], value: str, also: str) -> QuerySet[Any]:
    """Rows whose subject's name (or enterprise's credit code), or the field `also`, holds
    `value`: the search box of the lists of listings, applications and closed-loop plans."""
    value = value.strip()
    if not value:
        return qs
    return qs.filter(
        Q(enterprise__name__icontains=value)
        | Q(enterprise__uscc__icontains=value)
        | Q(park__name__icontains=value)
        | Q(**{f"{also}__icontains": value})
    )


def subject_region_filter() -> ScopedChoiceFilter:
    """Rows whose subject (an enterprise or a park) lies in a region's subtree."""

    def apply(qs: QuerySet[Any], region: Region) -> QuerySet[Any]:
        return qs.filter(
            Q(enterprise__region__path__startswith=region.path)
            | Q(park__region__path__startswith=region.path)
        )

    return ScopedChoiceFilter(
        label=_("Region"),
        empty_label=_("All regions"),
        choices=region_choices,
        resolve=lambda actor, code: Region.objects.filter(code=code).first(),
        apply=apply,
    )


def chains(actor: Actor) -> list[str]:
    """The chain names in use, offered as suggestions so the same chain is spelt the same."""
    used = visible(WhitelistListing.objects.all(), actor).order_by("chain")
    return list(used.values_list("chain", flat=True).distinct())


def _chain_in_use(actor: Actor, chain: str) -> str | None:
    return chain if visible(WhitelistListing.objects.filter(chain=chain), actor).exists() else None


class ListingFilterSet(FilterSet):
    """The listings' filters: the page, its export and `GET /api/whitelist/listings`."""

    q = django_filters.CharFilter(
        label=_("Name, code or certificate"),
        method="search",
        widget=forms.TextInput(
            {"type": "search", "placeholder": _("Name, credit code or certificate number")}
        ),
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=WhitelistLevel.choices, empty_label=_("All levels")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    chain = ScopedChoiceFilter(
        label=_("Chain"),
        empty_label=_("All chains"),
        choices=lambda actor: [(c, c) for c in chains(actor)],
        resolve=_chain_in_use,
        apply=lambda qs, chain: qs.filter(chain=chain),
    )
    region = subject_region_filter()
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("active", _("In force")), ("revoked", _("Revoked"))],
        empty_label=_("In force and revoked"),
        method="by_status",
    )

    class Meta:
        model = WhitelistListing
        fields: list[str] = []

    def search(
        self, qs: QuerySet[WhitelistListing], name: str, value: str
    ) -> QuerySet[WhitelistListing]:
        return search_subject(qs, value, "number")

    def by_status(
        self, qs: QuerySet[WhitelistListing], name: str, value: str
    ) -> QuerySet[WhitelistListing]:
        return qs.filter(revoked_at__isnull=value == "active")


LISTINGS: Listing[WhitelistListing] = Listing(
    filterset=ListingFilterSet,
    title=_("Whitelist"),
    filename="whitelist",
    page="whitelist:listings",
    api="/api/whitelist/listings",
    default_sort="-listed",
    related=("enterprise__region", "enterprise__park", "park__region", "authority"),
    columns=(
        Column(
            "number",
            _("Certificate number"),
            sort="number",
            css="d-none d-sm-table-cell",
        ),
        Column("level", _("Level"), lambda x: x.get_level_display(), sort="level"),
        Column(
            "kind",
            _("Kind"),
            lambda x: gettext("Enterprise") if x.enterprise_id else gettext("Park"),
            table=False,
        ),
        Column("name", _("Name"), lambda x: str(x.subject)),
        Column(
            "uscc",
            _("Unified social credit code"),
            lambda x: x.enterprise.uscc if x.enterprise else "",
            table=False,
        ),
        Column("region_code", _("Region code"), lambda x: x.subject.region.code, table=False),
        Column(
            "region", _("Region"), lambda x: str(x.subject.region), css="d-none d-lg-table-cell"
        ),
        Column(
            "park",
            _("Park"),
            lambda x: str(x.enterprise.park or "") if x.enterprise else "",
            table=False,
        ),
        Column(
            "category",
            _("Category"),
            lambda x: x.get_category_display(),
            sort="category",
            css="d-none d-md-table-cell",
        ),
        Column("chain", _("Industry chain"), sort="chain", css="d-none d-md-table-cell"),
        Column(
            "authority",
            _("Deciding authority"),
            lambda x: str(x.authority or gettext("National")),
            table=False,
        ),
        Column("listed", _("Listed"), "listed_at", sort="listed_at"),
        Column(
            "status",
            _("Status"),
            lambda x: gettext("In force") if x.active else gettext("Revoked"),
            table=False,
        ),
        Column("revoked", _("Revoked"), "revoked_at", table=False),
        Column("revoke_reason", _("Reason for revocation"), table=False),
    ),
)


# What a listing's page and the API draw of it.
LISTING_RELATED = (
    "enterprise__region",
    "enterprise__park",
    "park__region",
    "authority",
    "application",
)


def listing_for(actor: Actor, pk: int) -> WhitelistListing:
    return get_for(WhitelistListing.objects.select_related(*LISTING_RELATED), actor, pk)


def active_listings(subject: Enterprise | Park) -> QuerySet[WhitelistListing]:
    return WhitelistListing.objects.filter(revoked_at__isnull=True, **subject_filter(subject))


def subject_listings(actor: Actor, subject: Enterprise | Park) -> QuerySet[WhitelistListing]:
    return visible(
        WhitelistListing.objects.filter(**subject_filter(subject)).select_related("authority"),
        actor,
    ).order_by("-listed_at", "-id")


# ---- history ----------------------------------------------------------------------------------


@dataclass
class Event:
    """One line of an application's or a subject's history."""

    at: dt.datetime
    kind: str  # the review's step, or "listed" / "revoked"
    title: str | Promise
    by: str
    text: str = ""
    round: int | None = None
    decision: str = ""
    listing: WhitelistListing | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def listing_events(listing: WhitelistListing) -> list[Event]:
    """The listing and, if it was revoked, its revocation."""
    events = [
        Event(
            at=listing.listed_at,
            kind="listed",
            title=_("Listed: %(level)s, certificate %(number)s")
            % {"level": listing.get_level_display(), "number": listing.number},
            by=listing.listed_by,
            text=listing.basis,
            listing=listing,
        )
    ]
    if listing.revoked_at is not None:
        events.append(
            Event(
                at=listing.revoked_at,
                kind="revoked",
                title=_("Revoked: %(level)s, certificate %(number)s")
                % {"level": listing.get_level_display(), "number": listing.number},
                by=listing.revoked_by,
                text=listing.revoke_reason,
                listing=listing,
            )
        )
    return events


def direct_listing_events(actor: Actor, subject: Enterprise | Park) -> list[Event]:
    """Listings made without an application (bulk or by decision document), with their
    revocations: the part of a subject's history no application holds."""
    events: list[Event] = []
    for listing in subject_listings(actor, subject).filter(application__isnull=True):
        events.extend(listing_events(listing))
    return sorted(events, key=lambda e: e.at)


# ---- the level kept on enterprises and parks ---------------------------------------------------


def highest_level(levels: set[str] | list[str]) -> str:
    """The highest of the given listing levels, "" for none."""
    return max(levels, key=lambda level: LEVEL_RANK[WhitelistLevel(level)], default="")


def level_mismatches() -> list[tuple[str, int, str, str]]:
    """(model, id, stored level, level from active listings) wherever they differ: empty when
    `whitelist_level` on every enterprise and park agrees with the listings in force."""
    mismatches: list[tuple[str, int, str, str]] = []
    active = WhitelistListing.objects.filter(revoked_at__isnull=True)
    for model, name in ((Enterprise, "enterprise"), (Park, "park")):
        found: dict[int, set[str]] = {}
        for pk, level in active.filter(**{f"{name}__isnull": False}).values_list(name, "level"):
            found.setdefault(pk, set()).add(level)
        expected = {pk: highest_level(levels) for pk, levels in found.items()}
        stored = dict(
            model._default_manager.exclude(whitelist_level="").values_list("pk", "whitelist_level")
        )
        for pk in sorted(set(expected) | set(stored)):
            if expected.get(pk, "") != stored.get(pk, ""):
                mismatches.append((name, pk, stored.get(pk, ""), expected.get(pk, "")))
    return mismatches
