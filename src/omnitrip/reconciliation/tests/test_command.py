"""``omnitrip reconcile PROVIDER FILE``: counts, the CSV, and an exit status for scripts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from omnitrip.reconciliation.models import ReconciliationRun
from omnitrip.reconciliation.reports import report_csv

from .factories import bill, edit_line, paid

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("reconcile", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_balanced_file_exits_0_prints_the_counts_and_writes_the_csv(tmp_path):
    payment = paid()
    source = tmp_path / "sandbox.csv"
    source.write_bytes(bill([payment]))
    report = tmp_path / "report.csv"

    status, output = run_command("sandbox", str(source), "--csv", str(report))

    run = ReconciliationRun.objects.get()
    assert status == 0
    assert output.splitlines() == [
        f"run {run.code}: sandbox 2026-03-01..2026-03-01, 1 lines in sandbox.csv",
        "matched                  1",
        "missing_in_file          0",
        "extra_in_file            0",
        "amount_mismatch          0",
        "currency_mismatch        0",
        "status_mismatch          0",
        "status balanced",
    ]
    assert report.read_bytes() == report_csv(run)


def test_any_discrepancy_exits_1(tmp_path):
    payment = paid()
    source = tmp_path / "sandbox.csv"
    source.write_bytes(edit_line(bill([payment]), payment.code, amount="1.00"))

    status, output = run_command(
        "sandbox", str(source), "--period-start", "2026-02-28", "--period-end", "2026-03-01"
    )

    run = ReconciliationRun.objects.get()
    assert status == 1
    assert (str(run.period_start), str(run.period_end)) == ("2026-02-28", "2026-03-01")
    assert "amount_mismatch          1" in output.splitlines()
    assert output.splitlines()[-1] == "status discrepancies"


def test_the_same_file_again_says_so_and_shows_the_first_run(tmp_path):
    source = tmp_path / "sandbox.csv"
    source.write_bytes(bill([paid()]))
    run_command("sandbox", str(source))

    status, output = run_command("sandbox", str(source))

    assert status == 0
    assert output.startswith("This file was imported before, on ")
    assert ReconciliationRun.objects.count() == 1


def test_a_refused_file_exits_2_and_stores_nothing(tmp_path):
    source = tmp_path / "sandbox.csv"
    source.write_bytes(b"no,header\n")

    with pytest.raises(CommandError) as caught:
        call_command("reconcile", "sandbox", str(source))

    assert caught.value.returncode == 2
    assert str(caught.value).startswith("The sandbox bill must start with the header")
    assert ReconciliationRun.objects.count() == 0


def test_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("reconcile", "sandbox", str(tmp_path / "nowhere.csv"))

    assert caught.value.returncode == 2


def test_the_help_names_the_arguments_and_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        call_command("reconcile", "--help")

    text = " ".join(capsys.readouterr().out.split())
    for expected in (
        "provider",
        "file",
        "--period-start YYYY-MM-DD",
        "--period-end YYYY-MM-DD",
        "--csv OUT",
        "Exit status: 0 when every item matched, 1 when anything did not, 2 when the file",
    ):
        assert expected in text


def test_the_csv_can_go_to_standard_output_with_the_counts_on_standard_error(tmp_path):
    source = tmp_path / "sandbox.csv"
    source.write_bytes(bill([paid()]))
    out, err = io.StringIO(), io.StringIO()

    call_command("reconcile", "sandbox", str(source), "--csv", "-", stdout=out, stderr=err)

    run = ReconciliationRun.objects.get()
    assert out.getvalue() == report_csv(run).decode()
    assert err.getvalue().splitlines()[-1] == "status balanced"
