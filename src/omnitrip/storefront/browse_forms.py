"""The search and date forms of the browse pages (GET forms: the URL holds the search).

Bad input gets a message next to its field and the page keeps what the traveller typed;
nothing here is trusted by the checkout, which prices everything again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from omnitrip.catalog.models import Amenity, Destination, MealPlan, ProductKind
from omnitrip.core.money import exponent
from omnitrip.pricing.requests import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from omnitrip.pricing.search import SearchQuery

from .display import DISPLAY_CURRENCIES

PAGE_SIZE = 12

SORT_CHOICES = [
    ("popularity", _("Most popular")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("rating", _("Guest rating")),
]
STAR_CHOICES = [("", _("Any")), *((str(n), f"{n}★+") for n in range(1, 6))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def destination_choices(destinations: list[Destination]) -> list[Any]:
    """ "Anywhere", then one group per country: the country, its provinces, cities and areas.

    Indented with dashes by level so the tree reads in a plain ``<select>`` (keyboard and
    screen readers handle a native select best).
    """
    from omnitrip.core.i18n import pick

    groups: list[Any] = [("", _("Anywhere"))]
    current: list[tuple[str, str]] | None = None
    for destination in destinations:  # ordered by path: parents before children
        name = pick(destination, "name")
        if destination.level == Destination.Level.COUNTRY:
            current = [(destination.code, name)]
            groups.append((name, current))
        elif current is not None:
            current.append((destination.code, f"{'— ' * (destination.level - 1)}{name}"))
    return groups


class TravelForm(forms.Form):
    """Dates and party: the part of a search a product page also understands."""

    check_in = forms.DateField(label=_("Check-in"), required=False, widget=DateInput())
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DateInput())
    adults = forms.IntegerField(
        label=_("Adults"), min_value=1, max_value=30, required=False, initial=2
    )
    children = forms.IntegerField(
        label=_("Children"), min_value=0, max_value=10, required=False, initial=0
    )
    rooms = forms.IntegerField(
        label=_("Rooms"), min_value=1, max_value=9, required=False, initial=1
    )

    DEFAULTS = {"adults": "2", "children": "0", "rooms": "1"}

    def __init__(self, data: Any = None, *args: Any, today: dt.date | None = None, **kwargs: Any):
        if data is not None:
            # A shared link may leave the party out: show (and search for) the defaults.
            data = data.copy()
            for name, default in self.DEFAULTS.items():
                if not data.get(name):
                    data[name] = default
        super().__init__(data, *args, **kwargs)
        self.today = today or dt.date.today()
        for name in ("adults", "children", "rooms"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["check_in"].widget.attrs["min"] = self.today.isoformat()
        self.fields["check_out"].widget.attrs["min"] = (
            self.today + dt.timedelta(days=1)
        ).isoformat()

    def clean_check_in(self) -> dt.date | None:
        value = self.cleaned_data.get("check_in")
        if value is not None:
            # A day of slack: the product's own zone may still be on "yesterday".
            if value < self.today - dt.timedelta(days=1):
                raise forms.ValidationError(_("Choose a date from today on."))
            if (value - self.today).days > BOOKING_HORIZON_DAYS:
                raise forms.ValidationError(_("That date is too far ahead to book."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if check_out is not None and check_in is None and "check_in" not in self.errors:
            self.add_error("check_in", _("Choose a check-in date too."))
        if check_in is not None and check_out is not None:
            if check_out <= check_in:
                self.add_error("check_out", _("Check-out must be after check-in."))
            elif (check_out - check_in).days > MAX_NIGHTS:
                self.add_error(
                    "check_out",
                    _("Stays are limited to %(nights)s nights.") % {"nights": MAX_NIGHTS},
                )
        for name, default in (("adults", 2), ("children", 0), ("rooms", 1)):
            if data.get(name) is None and name not in self.errors:
                data[name] = default
        return data

    def mark_errors(self) -> None:
        """``aria-invalid`` and ``aria-describedby`` on every field with an error."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class SearchForm(TravelForm):
    destination = forms.ChoiceField(label=_("Destination"), required=False)
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Anything")), *ProductKind.choices]
    )
    q = forms.CharField(label=_("Name or keyword"), required=False, max_length=100)
    min_price = forms.DecimalField(
        label=_("Minimum price"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=_("Maximum price"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(
        label=_("Price currency"),
        required=False,
        choices=[(code, code) for code in DISPLAY_CURRENCIES],
        initial="CNY",
    )
    stars = forms.ChoiceField(label=_("Hotel stars"), required=False, choices=STAR_CHOICES)
    meal_plan = forms.MultipleChoiceField(
        label=_("Meals"),
        required=False,
        choices=MealPlan.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    free_cancellation = forms.BooleanField(label=_("Free cancellation"), required=False)
    amenity = forms.MultipleChoiceField(
        label=_("Amenities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    # Form field ← the field name a domain error (pricing.search) reports.
    ERROR_FIELDS = {
        "check_in": "check_in",
        "check_out": "check_out",
        "start_date": "check_in",
        "end_date": "check_out",
        "adults": "adults",
        "kind": "kind",
        "min_price": "max_price",
        "stars_min": "stars",
        "meal_plan": "meal_plan",
        "amenity": "amenity",
        "destination": "destination",
    }

    def __init__(
        self,
        *args: Any,
        destinations: list[Destination],
        amenities: list[Amenity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from omnitrip.core.i18n import pick

        destination_field = self.fields["destination"]
        assert isinstance(destination_field, forms.ChoiceField)
        destination_field.choices = destination_choices(destinations)
        amenity_field = self.fields["amenity"]
        assert isinstance(amenity_field, forms.MultipleChoiceField)
        amenity_field.choices = [(a.code, pick(a, "name")) for a in amenities]
        self.fields["q"].widget.attrs["autocomplete"] = "off"
        for name in ("min_price", "max_price"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", _("The maximum must be at least the minimum."))
        data["currency"] = data.get("currency") or "CNY"
        data["sort"] = data.get("sort") or "popularity"
        return data

    def to_query(self, page: int) -> SearchQuery:
        """The domain search for valid data (call after ``is_valid()``)."""
        data = self.cleaned_data
        currency = data["currency"]

        def minor(value: Decimal | None) -> int | None:
            if value is None:
                return None
            return int(value.scaleb(exponent(currency)).to_integral_value())

        return SearchQuery(
            destination=data.get("destination") or None,
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            adults=data["adults"],
            children=data["children"],
            rooms=data["rooms"],
            kind=data.get("kind") or None,
            text=(data.get("q") or "").strip() or None,
            min_price=minor(data.get("min_price")),
            max_price=minor(data.get("max_price")),
            currency=currency,
            sort=data["sort"],
            page=page,
            page_size=PAGE_SIZE,
            star_rating_min=int(data["stars"]) if data.get("stars") else None,
            meal_plans=tuple(data.get("meal_plan") or ()),
            free_cancellation=bool(data.get("free_cancellation")),
            amenities=tuple(data.get("amenity") or ()),
        )
