"""Small-cell suppression: nothing shown about fewer than the threshold, no hidden value
recoverable from the shown totals, and no two nested views that isolate a few people."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgework.curriculum.vocabulary import Courage, Practice
from bridgework.insights.rollups import PERIOD_ORDER, Draft, apply_suppression
from bridgework.insights.suppression_settings import min_cell
from bridgework.lib import suppression

PRACTICES = list(Practice.values)
COURAGE = [str(c) for c in Courage.values]


# --- linear algebra over fractions: is a hidden value determined by the shown ones? ---------


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in rows]
    rank_found, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank_found, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank_found], matrix[pivot] = matrix[pivot], matrix[rank_found]
        for r in range(len(matrix)):
            if r != rank_found and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank_found][column]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[rank_found], strict=True)
                ]
        rank_found += 1
    return rank_found


def determined(target: list[Fraction], equations: list[list[Fraction]]) -> bool:
    """Whether the linear form `target` of the unknowns follows from the equations."""
    if not equations:
        return all(t == 0 for t in target)
    return rank([*equations, target]) == rank(equations)


def grid_vector(cells: set[tuple[int, int]]) -> list[Fraction]:
    return [
        Fraction(1 if (p, c) in cells else 0)
        for p in range(len(PRACTICES))
        for c in range(len(COURAGE))
    ]


def row_cells(p: int) -> set[tuple[int, int]]:
    return {(p, c) for c in range(len(COURAGE))}


def column_cells(c: int) -> set[tuple[int, int]]:
    return {(p, c) for p in range(len(PRACTICES))}


def one_view(grid: list[list[int]]) -> list[Draft]:
    """The follow-through breakdowns of one view: people per practice (rows of the grid),
    per courage level (columns) and in total, each person in one cell of the grid."""
    drafts = [
        Draft(None, "all", "practice", practice, sum(grid[p]))
        for p, practice in enumerate(PRACTICES)
    ]
    drafts += [
        Draft(None, "all", "courage", level, sum(row[c] for row in grid))
        for c, level in enumerate(COURAGE)
    ]
    drafts.append(Draft(None, "all", "practice", "total", sum(map(sum, grid))))
    return drafts


grids = st.lists(
    st.lists(st.integers(min_value=0, max_value=9), min_size=len(COURAGE), max_size=len(COURAGE)),
    min_size=len(PRACTICES),
    max_size=len(PRACTICES),
)


@settings(max_examples=300, deadline=None)
@given(grid=grids, minimum=st.integers(min_value=3, max_value=10))
def test_no_shown_cell_is_small_and_no_hidden_cell_can_be_worked_out(
    grid: list[list[int]], minimum: int
) -> None:
    drafts = one_view(grid)
    apply_suppression(drafts, minimum)
    shown = [d for d in drafts if not d.hidden]
    assert all(not suppression.too_small(d.people, minimum) for d in shown)
    # What anyone can read: each shown practice row, courage column and the total.
    equations = []
    for d in shown:
        if d.section == "practice" and d.key == "total":
            cells = {(p, c) for p in range(len(PRACTICES)) for c in range(len(COURAGE))}
        elif d.section == "practice":
            cells = row_cells(PRACTICES.index(d.key))
        else:
            cells = column_cells(COURAGE.index(d.key))
        equations.append(grid_vector(cells))
    for d in drafts:
        if not d.hidden or d.key == "total":
            continue
        if d.section == "practice":
            target = grid_vector(row_cells(PRACTICES.index(d.key)))
        else:
            target = grid_vector(column_cells(COURAGE.index(d.key)))
        assert not determined(target, equations), f"{d.section} {d.key} can be worked out"


def nested_views(
    org: list[int], cohort_share: list[int]
) -> tuple[list[Draft], dict[tuple[int | None, str], int]]:
    """One cell in eight views: the organisation and one cohort, in four nested periods.
    Counts grow with the period, and the cohort never has more people than the organisation."""
    org_counts = [sum(org[: i + 1]) for i in range(4)]
    cohort_counts = [min(o, sum(cohort_share[: i + 1])) for i, o in enumerate(org_counts)]
    drafts, people = [], {}
    for i, period in enumerate(PERIOD_ORDER):
        for scope, count in ((None, org_counts[i]), (7, cohort_counts[i])):
            drafts.append(Draft(scope, period, "growth", "deep-curiosity", count))
            people[(scope, period)] = count
    return drafts, people


@settings(max_examples=300, deadline=None)
@given(
    org=st.lists(st.integers(min_value=0, max_value=12), min_size=4, max_size=4),
    cohort=st.lists(st.integers(min_value=0, max_value=12), min_size=4, max_size=4),
)
def test_no_two_shown_nested_views_differ_by_a_few_people(
    org: list[int], cohort: list[int]
) -> None:
    drafts, _ = nested_views(org, cohort)
    apply_suppression(drafts, 5)
    shown = {(d.cohort, d.period): d.people for d in drafts if not d.hidden}
    rank_of = {p: i for i, p in enumerate(PERIOD_ORDER)}
    for (inner_scope, inner_period), inner in shown.items():
        for (outer_scope, outer_period), outer in shown.items():
            nested = (outer_scope is None or outer_scope == inner_scope) and rank_of[
                outer_period
            ] >= rank_of[inner_period]
            if nested and (inner_scope, inner_period) != (outer_scope, outer_period):
                assert not 0 < outer - inner < 5


def test_a_cohort_that_is_the_organisation_but_one_person_is_hidden() -> None:
    drafts = [
        Draft(None, "all", "growth", "deep-curiosity", 12),
        Draft(3, "all", "growth", "deep-curiosity", 11),
    ]
    apply_suppression(drafts, 5)
    assert [d.hidden for d in drafts] == ["", "difference"]


def test_the_organisation_minus_its_cohorts_may_not_leave_a_few_people() -> None:
    drafts = [
        Draft(None, "all", "participation", "lessons", 30),
        Draft(1, "all", "participation", "lessons", 15),
        Draft(2, "all", "participation", "lessons", 12),
    ]
    apply_suppression(drafts, 5)
    # 30 - 15 - 12 = 3 people: one cohort must go so the rest cannot be read off.
    assert [d.hidden for d in drafts] == ["", "", "difference"]


def test_one_hidden_row_takes_the_next_smallest_with_it() -> None:
    people = {"a": 3, "b": 40, "c": 7, "d": 9}
    assert suppression.suppress_breakdown(people, 5) == {"a", "c"}


def test_two_small_rows_are_not_enough_on_their_own() -> None:
    # 2 + 2 hidden would still describe only four people together.
    people = {"a": 2, "b": 2, "c": 8, "d": 30}
    assert suppression.suppress_breakdown(people, 5) == {"a", "b", "c"}


def test_the_threshold_can_never_go_below_three(settings: object) -> None:
    settings.INSIGHTS_MIN_CELL = 2  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        min_cell()


def test_the_threshold_defaults_to_five_and_is_ten_for_free_text(settings: object) -> None:
    from bridgework.insights.suppression_settings import min_cell_for_free_text

    assert min_cell() == 5
    assert min_cell_for_free_text() == 10
    settings.INSIGHTS_MIN_CELL = 7  # type: ignore[attr-defined]
    assert min_cell() == 7


def test_the_check_itself_catches_a_single_hidden_row() -> None:
    # Threshold alone, no complementary suppression: the hidden row is total minus the rest.
    equations = [grid_vector(row_cells(p)) for p in range(1, len(PRACTICES))]
    equations.append(grid_vector({(p, c) for p in range(len(PRACTICES)) for c in range(4)}))
    assert determined(grid_vector(row_cells(0)), equations)
