"""Back office: upload a settlement file, read runs and their items, download the report.

Runs and items are read-only here: the only way to create a run is the upload view, which
calls the same service as the ``reconcile`` command and needs the
``reconciliation.add_reconciliationrun`` permission.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _

from omnitrip.core.errors import DomainError

from .models import ReconciliationItem, ReconciliationRun
from .queries import file_digest, previous_run, settlement_providers
from .reports import report_csv, report_file_name
from .services import reconcile_file
from .states import Outcome

UPLOAD_PERMISSION = "reconciliation.add_reconciliationrun"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class SettlementUploadForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"))
    file = forms.FileField(
        label=_("Settlement file"), help_text=_("As downloaded from the provider")
    )
    period_start = forms.DateField(
        label=_("Period start"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: the earliest date in the file"),
    )
    period_end = forms.DateField(
        label=_("Period end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclusive. Default: the latest date in the file"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [
            (provider.name, f"{provider.display_name_en or provider.name} ({provider.name})")
            for provider in settlement_providers()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."),
                code="too_large",
                params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _items_url(run: ReconciliationRun, outcome: str = "") -> str:
    query = {"run__id__exact": run.pk}
    if outcome:
        query["outcome__exact"] = outcome
    return f"{reverse('admin:reconciliation_reconciliationitem_changelist')}?{urlencode(query)}"


def _count_column(outcome: Outcome):
    """A changelist column: the run's count of ``outcome``, linking to those items."""

    @admin.display(description=outcome.label, ordering=f"{outcome.value}_count")
    def column(self, run):
        count = run.count(outcome.value)
        if not count:
            return "0"
        return format_html('<a href="{}">{}</a>', _items_url(run, outcome.value), count)

    return column


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "provider",
        "period_start",
        "period_end",
        "file_name",
        "status",
        "line_count",
        "matched",
        "missing_in_file",
        "extra_in_file",
        "amount_mismatch",
        "currency_mismatch",
        "status_mismatch",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("provider", "status")
    search_fields = ("code", "file_name", "file_sha256")
    date_hierarchy = "created_at"
    list_select_related = ("uploaded_by",)
    actions = ("download_report",)
    fields = (
        "code",
        "provider",
        "status",
        "period_start",
        "period_end",
        "window_start",
        "window_end",
        "file_name",
        "file_sha256",
        "uploaded_by",
        "created_at",
        "line_count",
        "outcome_links",
    )
    readonly_fields = fields

    matched = _count_column(Outcome.MATCHED)
    missing_in_file = _count_column(Outcome.MISSING_IN_FILE)
    extra_in_file = _count_column(Outcome.EXTRA_IN_FILE)
    amount_mismatch = _count_column(Outcome.AMOUNT_MISMATCH)
    currency_mismatch = _count_column(Outcome.CURRENCY_MISMATCH)
    status_mismatch = _count_column(Outcome.STATUS_MISMATCH)

    @admin.display(description=_("Items"))
    def outcome_links(self, run):
        links = [format_html('<a href="{}">{}</a>', _items_url(run), _("all"))]
        links += [
            format_html(
                '<a href="{}">{}: {}</a>', _items_url(run, outcome), label, run.count(outcome)
            )
            for outcome, label in Outcome.choices
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name=f"{prefix}_upload",
            ),
            path(
                "<path:object_id>/report.csv",
                self.admin_site.admin_view(self.report_view),
                name=f"{prefix}_report",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_upload": self.has_upload_permission(request)}
        return super().changelist_view(request, extra_context)

    def has_upload_permission(self, request) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and request.user.has_perm(UPLOAD_PERMISSION)
        )

    def upload_view(self, request):
        if not self.has_upload_permission(request):
            raise PermissionDenied
        form = SettlementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            provider = form.cleaned_data["provider"]
            already = previous_run(provider, file_digest(content))
            try:
                run = reconcile_file(
                    provider,
                    content,
                    file_name=upload.name,
                    uploaded_by=request.user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                )
            except DomainError as exc:
                form.add_error(
                    "file", _("The file was refused: %(detail)s") % {"detail": exc.detail}
                )
            else:
                self._report_outcome(request, run, is_repeat=already is not None)
                return redirect("admin:reconciliation_reconciliationrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Upload a settlement file"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/reconciliation/reconciliationrun/upload.html", context
        )

    def _report_outcome(self, request, run, *, is_repeat: bool) -> None:
        if is_repeat:
            self.message_user(
                request,
                _("This file was already imported as run %(code)s; nothing was added.")
                % {"code": run.code},
                messages.INFO,
            )
        elif run.discrepancy_count:
            self.message_user(
                request,
                _("Run %(code)s: %(matched)s matched, %(other)s to look into.")
                % {"code": run.code, "matched": run.matched_count, "other": run.discrepancy_count},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                _("Run %(code)s: all %(matched)s items matched.")
                % {"code": run.code, "matched": run.matched_count},
                messages.SUCCESS,
            )

    def report_view(self, request, object_id):
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return _report_response(run)

    @admin.action(description=_("Download the CSV report"), permissions=["view"])
    def download_report(self, request, queryset):
        runs = list(queryset[:2])
        if len(runs) != 1:
            self.message_user(request, _("Choose exactly one run."), messages.WARNING)
            return None
        return _report_response(runs[0])


def _report_response(run: ReconciliationRun) -> HttpResponse:
    response = HttpResponse(report_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report_file_name(run)
    )
    return response


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(ReadOnlyAdmin):
    list_display = (
        "run",
        "position",
        "outcome",
        "kind",
        "reference",
        "provider_transaction_id",
        "file_amount_display",
        "our_amount_display",
        "fee_display",
        "detail",
    )
    list_filter = ("outcome", "kind", "run__provider")
    search_fields = ("reference", "provider_transaction_id", "run__code")
    list_select_related = ("run",)
    readonly_fields = (
        "run",
        "position",
        "outcome",
        "kind",
        "reference",
        "provider_transaction_id",
        "payment",
        "refund",
        "file_amount_display",
        "our_amount_display",
        "fee_display",
        "occurred_at",
        "detail",
        "raw",
    )
    fields = readonly_fields

    @admin.display(description=_("amount in the file"), ordering="file_amount_minor")
    def file_amount_display(self, item):
        return "—" if item.file_amount is None else str(item.file_amount)

    @admin.display(description=_("our amount"), ordering="our_amount_minor")
    def our_amount_display(self, item):
        return "—" if item.our_amount is None else str(item.our_amount)

    @admin.display(description=_("fee"), ordering="fee_minor")
    def fee_display(self, item):
        return "—" if item.fee is None else str(item.fee)
