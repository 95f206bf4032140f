"""Parameter types of the diagram generators: checks and normalisation."""

from __future__ import annotations

import pytest

from cvcards.diagrams.validation import (
    Box,
    Integer,
    Items,
    Number,
    Param,
    Text,
    check_params,
)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Integer(0, 10), 3, []),
        (Integer(0, 10), 11, ["n: 11 is out of range; use an integer from 0 to 10"]),
        (
            Integer(0, 10),
            2.0,
            ["n: 2.0 is not an integer; write an integer from 0 to 10"],
        ),
        (
            Integer(0, 10),
            True,
            ["n: True is not an integer; write an integer from 0 to 10"],
        ),
        (
            Number(0.0, 1.0),
            1.5,
            ["n: 1.5 is outside the allowed range; use a probability in [0, 1]"],
        ),
        (
            Number(0.0, 1.0),
            -0.1,
            ["n: -0.1 is outside the allowed range; use a probability in [0, 1]"],
        ),
        (Number(0.0, 1.0), 0, []),
        (
            Number(0.0, 1.0, low_open=True, high_open=True),
            1.0,
            ["n: 1 is outside the allowed range; use a probability in (0, 1)"],
        ),
        (
            Number(0.0, 10.0, low_open=True),
            0.0,
            ["n: 0 is outside the allowed range; use a number in (0, 10]"],
        ),
        (
            Number(0.0, 1.0),
            float("nan"),
            ["n: nan is not a number; write a probability in [0, 1]"],
        ),
        (
            Number(0.0, 1.0),
            "0.5",
            ["n: '0.5' is not a number; write a probability in [0, 1]"],
        ),
        (Number(0.0, 1.0, optional=True), None, []),
        (
            Number(0.0, 1.0),
            None,
            ["n: None is not a number; write a probability in [0, 1]"],
        ),
        (Text(5), "car", []),
        (
            Text(5),
            "bicycle",
            [
                "n: 'bicycle' is longer than 5 characters; "
                "shorten it so that it fits on the figure"
            ],
        ),
        (Text(5), " ", ["n: ' ' is empty or spans lines; write a name"]),
        (Text(5), 7, ["n: 7 is not text; write a quoted string"]),
    ],
    ids=[
        "int-ok",
        "int-above-range",
        "int-given-float",
        "int-given-bool",
        "probability-above-one",
        "probability-below-zero",
        "probability-zero-closed",
        "open-interval-excludes-one",
        "open-low-bound-excludes-zero",
        "nan",
        "number-as-string",
        "optional-none",
        "required-none",
        "text-ok",
        "text-too-long",
        "text-blank",
        "text-not-string",
    ],
)
def test_scalar_checks(kind: object, value: object, expected: list[str]) -> None:
    assert kind.check("n", value) == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([0, 0, 10, 10], []),
        ([10, 0, 5, 10], ["x2 (5) is less than x1 (10)"]),
        ([0, 10, 10, 4], ["y2 (4) is less than y1 (10)"]),
        ([3, 0, 3, 10], ["x2 (3) is equal to x1 (3)"]),
        (
            [10, 10, 5, 5],
            ["x2 (5) is less than x1 (10)", "y2 (5) is less than y1 (10)"],
        ),
        ([0, 0, 10], ["is not four numbers"]),
        ([0, 0, "a", 10], ["'a' is not a finite number"]),
        ([0, 0, 1e9, 10], ["a coordinate is beyond"]),
        ("0 0 10 10", ["is not four numbers"]),
    ],
    ids=[
        "ok",
        "x2-below-x1",
        "y2-below-y1",
        "zero-width",
        "both-axes-inverted",
        "three-numbers",
        "not-a-number",
        "huge-coordinate",
        "a-string",
    ],
)
def test_box_checks(value: object, expected: list[str]) -> None:
    problems = Box().check("box", value)

    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert problem.startswith("box: ")
        assert fragment in problem
        # Every message says how to fix the value after the "; ".
        assert "; " in problem


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        (Items(Number(0.0, 1.0), 1, 3), [0.5, 0.5], "an item is repeated"),
        (Items(Number(0.0, 1.0), 1, 3), [], "has 0 items"),
        (Items(Number(0.0, 1.0), 1, 3), [0.1, 0.2, 0.3, 0.4], "has 4 items"),
        (Items(Number(0.0, 1.0), 1, 3), [0.1, 2.0], "t[1]: 2 is outside"),
        (
            Items(Integer(1, 7), 2, 6, increasing=True),
            [3, 2],
            "not in increasing order",
        ),
        (Items(Integer(1, 7), 2, 6, consecutive=True), [2, 4], "skip a value"),
        (
            Items(Integer(1, 7), 2, 6, increasing=True, consecutive=True),
            [5, 4],
            "not in increasing order",
        ),
        (Items(Integer(1, 7)), 3, "is not a list"),
    ],
    ids=[
        "repeated",
        "empty",
        "too-long",
        "bad-item",
        "unsorted",
        "gap",
        "unsorted-but-without-a-gap",
        "not-a-list",
    ],
)
def test_list_checks(kind: Items, value: object, fragment: str) -> None:
    problems = kind.check("t", value)

    assert len(problems) == 1
    assert fragment in problems[0]


def test_an_unsorted_list_with_a_gap_gets_both_problems() -> None:
    kind = Items(Integer(1, 7), 2, 6, increasing=True, consecutive=True)

    problems = kind.check("levels", [5, 2])

    assert [p.split("; ")[0] for p in problems] == [
        "levels: the items are not in increasing order",
        "levels: the items skip a value",
    ]


def test_normalise_makes_equal_values_equal() -> None:
    assert Box().normalize([1, 2, 3, 4]) == Box().normalize((1.0, 2.0, 3.0, 4.0))
    assert Items(Number()).normalize([0, 1]) == [0.0, 1.0]
    assert Number(optional=True).normalize(None) is None
    assert Integer().normalize(3) == 3


PARAMS = (
    Param("box_a", Box(), [0, 0, 1, 1], "first box"),
    Param("box_b", Box(), [0, 0, 1, 1], "second box"),
)


def test_unknown_param_suggests_the_closest_name() -> None:
    problems = check_params("iou_overlap", PARAMS, {"bxo_a": [0, 0, 1, 1]})

    assert problems == [
        "unknown param 'bxo_a' for iou_overlap; did you mean 'box_a'? "
        "use one of box_a, box_b"
    ]


def test_every_problem_is_reported_at_once() -> None:
    problems = check_params(
        "iou_overlap", PARAMS, {"colour": "red", "box_a": [5, 0, 1, 1], "box_b": 3}
    )

    assert [p.split(":")[0] for p in problems] == [
        "unknown param 'colour' for iou_overlap; use one of box_a, box_b",
        "box_a",
        "box_b",
    ]


def test_params_must_be_a_mapping() -> None:
    assert check_params("iou_overlap", PARAMS, [1, 2]) == [
        "params: [1, 2] is not a mapping; write `params: {}`"
    ]


def test_a_generator_without_params_rejects_any() -> None:
    assert check_params("detector_pipelines", (), {"x": 1}) == [
        "unknown param 'x': detector_pipelines takes no params; remove it"
    ]
