"""The small-cell threshold and the suppression helpers of bridgework.lib.suppression (the
dashboard itself now rests on noisy releases: test_insights_releases.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import ImproperlyConfigured

from bridgework.curriculum.vocabulary import Courage, Practice
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
