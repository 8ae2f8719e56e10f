"""Back office: upload (staff with the permission only), runs, items and the CSV report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from omnitrip.reconciliation.models import ReconciliationItem, ReconciliationRun
from omnitrip.reconciliation.reports import report_csv
from omnitrip.reconciliation.services import reconcile_file

from .factories import DAY, bill, edit_line, paid, staff_user

pytestmark = pytest.mark.django_db

UPLOAD_URL = "admin:reconciliation_reconciliationrun_upload"
CLERK = ("add_reconciliationrun", "view_reconciliationrun", "view_reconciliationitem")


def upload(client, content: bytes, **fields):
    data = {
        "provider": "sandbox",
        "file": SimpleUploadedFile("sandbox-2026-03-01.csv", content, "text/csv"),
        **fields,
    }
    return client.post(reverse(UPLOAD_URL), data)


def test_staff_with_the_permission_upload_a_bill_and_land_on_the_run(client):
    clerk = staff_user(*CLERK)
    client.force_login(clerk)
    payment = paid()

    form = client.get(reverse(UPLOAD_URL))
    response = upload(client, bill([payment]))

    assert form.status_code == 200
    assert b'name="provider"' in form.content
    assert b'<option value="sandbox">' in form.content
    run = ReconciliationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:reconciliation_reconciliationrun_change", args=[run.pk]
    )
    assert (run.provider, run.file_name, run.uploaded_by, run.status) == (
        "sandbox",
        "sandbox-2026-03-01.csv",
        clerk,
        "balanced",
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"Run {run.code}: all 1 items matched.".encode() in page.content


def test_an_upload_takes_the_period_from_the_form(client):
    client.force_login(staff_user(*CLERK))

    upload(client, bill([paid()]), period_start="2026-02-27", period_end="2026-03-01")

    run = ReconciliationRun.objects.get()
    assert (str(run.period_start), str(run.period_end)) == ("2026-02-27", "2026-03-01")


def test_uploading_the_same_file_again_shows_the_first_run(client):
    client.force_login(staff_user(*CLERK))
    content = bill([paid()])
    upload(client, content)

    response = upload(client, content)

    run = ReconciliationRun.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert (
        f"This file was already imported as run {run.code}; nothing was added.".encode()
        in page.content
    )


def test_a_refused_file_is_explained_on_the_form_and_nothing_is_stored(client):
    client.force_login(staff_user(*CLERK))

    response = upload(client, b"not,a,sandbox,bill\n")

    assert response.status_code == 200
    assert b"The file was refused: The sandbox bill must start with the header" in response.content
    assert ReconciliationRun.objects.count() == 0


def test_staff_without_the_permission_are_refused_and_nothing_is_stored(client):
    client.force_login(staff_user("view_reconciliationrun"))

    form = client.get(reverse(UPLOAD_URL))
    response = upload(client, bill([paid()]))

    assert (form.status_code, response.status_code) == (403, 403)
    assert ReconciliationRun.objects.count() == 0


def test_a_user_who_is_not_staff_is_sent_to_the_login_page_and_nothing_is_stored(client):
    client.force_login(staff_user(*CLERK, is_staff=False))

    response = upload(client, bill([paid()]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert ReconciliationRun.objects.count() == 0


def test_the_run_list_offers_the_upload_only_to_those_allowed(client):
    reader = staff_user("view_reconciliationrun")
    client.force_login(staff_user(*CLERK))
    allowed = client.get(reverse("admin:reconciliation_reconciliationrun_changelist"))
    client.force_login(reader)
    not_allowed = client.get(reverse("admin:reconciliation_reconciliationrun_changelist"))

    link = f'href="{reverse(UPLOAD_URL)}"'.encode()
    assert (allowed.status_code, not_allowed.status_code) == (200, 200)
    assert link in allowed.content
    assert link not in not_allowed.content


def test_the_run_list_shows_counts_linking_to_the_items_of_each_outcome(client):
    client.force_login(staff_user(*CLERK))
    payment, other = paid(), paid()
    run = reconcile_file(
        "sandbox", edit_line(bill([payment]), payment.code, amount="1.00"), file_name="b.csv"
    )

    page = client.get(reverse("admin:reconciliation_reconciliationrun_changelist"))
    items_url = reverse("admin:reconciliation_reconciliationitem_changelist")
    mismatches = client.get(f"{items_url}?run__id__exact={run.pk}&outcome__exact=amount_mismatch")

    assert run.amount_mismatch_count == run.missing_in_file_count == 1
    content = page.content.decode()
    assert (
        f'<a href="{items_url}?run__id__exact={run.pk}&amp;outcome__exact=amount_mismatch">1</a>'
        in content
    )
    assert (
        f'<a href="{items_url}?run__id__exact={run.pk}&amp;outcome__exact=missing_in_file">1</a>'
        in content
    )
    assert mismatches.status_code == 200
    assert [item.reference for item in mismatches.context["cl"].result_list] == [payment.code]
    assert other.code not in mismatches.content.decode()


def test_the_csv_report_downloads_from_the_run_page(client):
    client.force_login(staff_user(*CLERK))
    run = reconcile_file("sandbox", bill([paid()]), file_name="b.csv")
    report_url = reverse("admin:reconciliation_reconciliationrun_report", args=[run.pk])

    page = client.get(reverse("admin:reconciliation_reconciliationrun_change", args=[run.pk]))
    response = client.get(report_url)

    assert f'href="{report_url}"'.encode() in page.content
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="reconciliation-sandbox-{DAY}-{DAY}-{run.code}.csv"'
    )
    assert response.content == report_csv(run)


def test_the_csv_report_is_not_for_users_who_cannot_see_runs(client):
    client.force_login(staff_user())
    run = reconcile_file("sandbox", bill([paid()]), file_name="b.csv")

    response = client.get(reverse("admin:reconciliation_reconciliationrun_report", args=[run.pk]))

    assert response.status_code == 403


def test_the_download_action_returns_the_report_of_the_chosen_run(client):
    client.force_login(staff_user(*CLERK))
    run = reconcile_file("sandbox", bill([paid()]), file_name="b.csv")

    response = client.post(
        reverse("admin:reconciliation_reconciliationrun_changelist"),
        {"action": "download_report", "_selected_action": [str(run.pk)]},
    )

    assert response.status_code == 200
    assert response.content == report_csv(run)


def test_runs_and_items_cannot_be_changed_or_deleted_in_the_back_office(client):
    client.force_login(staff_user(*CLERK, is_superuser=True))
    run = reconcile_file("sandbox", bill([paid()]), file_name="b.csv")
    item = ReconciliationItem.objects.get()

    run_page = client.post(
        reverse("admin:reconciliation_reconciliationrun_change", args=[run.pk]),
        {"file_name": "edited.csv"},
    )
    delete = client.post(
        reverse("admin:reconciliation_reconciliationitem_delete", args=[item.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:reconciliation_reconciliationrun_add"))

    assert (run_page.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert ReconciliationRun.objects.get().file_name == "b.csv"
    assert ReconciliationItem.objects.count() == 1
