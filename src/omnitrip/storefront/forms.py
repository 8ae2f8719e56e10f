"""Storefront forms: traveller details at checkout, the guest order lookup, cancelling.

No form here carries a price: what an order costs is always computed on the server from
the signed basket (see ``views/checkout.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

#: What ``orders.services.checkout`` accepts in a phone number.
_PHONE_CHARACTERS = set("0123456789+-() ")


class AccessibleForm(forms.Form):
    """Ties each field's error message to its input (``aria-invalid``, ``aria-describedby``).

    Templates render a field's errors in ``<p id="<field id>_error">`` (see
    ``storefront/checkout/_field.html``); the help text keeps Django's ``_helptext`` id.
    """

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name, form_field in self.fields.items():
            if name in self.errors:
                self._mark_invalid(name, form_field)

    def _mark_invalid(self, name: str, field: forms.Field) -> None:
        auto_id = self[name].auto_id
        described = [f"{auto_id}_error"]
        if field.help_text:
            described.append(f"{auto_id}_helptext")
        field.widget.attrs["aria-invalid"] = "true"
        field.widget.attrs["aria-describedby"] = " ".join(described)


class TravellerForm(AccessibleForm):
    """The lead traveller's details and the acceptance of the terms of booking."""

    name = forms.CharField(
        label=_("Lead traveller's full name"),
        max_length=120,
        help_text=_("As shown on the passport or ID card the traveller will show."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Please enter the lead traveller's name.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send the confirmation and the vouchers here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Please enter an e-mail address."),
            "invalid": _("Please enter a valid e-mail address, like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("With the country code, e.g. +86 138 0000 0000."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of booking and the cancellation policy."),
        error_messages={"required": _("Please accept the terms of booking to continue.")},
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter the lead traveller's name."))
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not set(phone) <= _PHONE_CHARACTERS:
            raise forms.ValidationError(
                _("Please use only digits, spaces and + - ( ) in the phone number.")
            )
        return phone


class OrderLookupForm(AccessibleForm):
    """A guest finds an order with its code and the e-mail address it was booked with."""

    code = forms.CharField(
        label=_("Order code"),
        max_length=20,
        help_text=_("In your confirmation e-mail, e.g. OT-7K3M9Q2XAB."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Please enter the order code.")},
    )
    email = forms.EmailField(
        label=_("E-mail used for the booking"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Please enter an e-mail address."),
            "invalid": _("Please enter a valid e-mail address, like name@example.com."),
        },
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class CancelForm(AccessibleForm):
    confirm = forms.BooleanField(
        label=_("Yes, cancel this booking. I understand the refund shown above."),
        error_messages={"required": _("Please tick the box to confirm the cancellation.")},
    )
