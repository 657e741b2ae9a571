"""The helpers of the rows rendered by Jinja2 (partners/fragments.py)."""

import datetime

import pytest
from django.template import engines
from django.urls import clear_script_prefix, get_script_prefix, reverse, set_script_prefix

from casework.models import Case
from casework.selectors import CaseloadRow
from partners.fragments import display, moment, pk_url


@pytest.mark.parametrize("prefix", ["/", "/binome/"])
def test_pk_url_writes_each_row_link_as_reverse_does(prefix):
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        case_url = pk_url("case_detail")
        for pk in (1, 42, 987654321, 10**12):
            assert case_url(pk) == reverse("case_detail", args=[pk])
        assert case_url(7).startswith(prefix)
    finally:
        clear_script_prefix()
        set_script_prefix(before)


def test_pk_url_takes_only_an_id():
    with pytest.raises(ValueError):
        pk_url("case_detail")("1/../../admin")


def test_display_reads_the_label_of_a_model_instance_and_of_a_row_read_as_values():
    row = CaseloadRow(
        pk=1,
        referent_id=2,
        state="suspended",
        overdue=False,
        review_reason="moved",
        person_first_name="Jeanne",
        person_last_name="Arc",
        last_interview_on=None,
        interviewer_first_name=None,
        interviewer_last_name=None,
        next_appointment_on=None,
        orientation_path="",
        next_action_due_on=None,
        started_on=None,
        planned_end_on=None,
        six_month_review_on=None,
    )

    assert display(row, "state") == Case(state="suspended").get_state_display() == "Suspendu"
    assert display(row, "review_reason") == Case(review_reason="moved").get_review_reason_display()
    assert display(row, "orientation_path") == ""
    assert row.interviewer_name == ""


@pytest.mark.parametrize(
    ("at", "in_france"),
    [
        # already the next year in France
        (datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), "01/01/2027 00:30"),
        # summer time
        (datetime.datetime(2027, 7, 14, 8, 5, tzinfo=datetime.UTC), "14/07/2027 10:05"),
    ],
)
def test_moment_writes_a_moment_as_the_date_filter_does_in_france(at, in_france):
    written = engines["django"].from_string('{{ at|date:"d/m/Y H:i" }}').render({"at": at})

    assert moment(at) == written == in_france
