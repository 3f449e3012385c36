"""Fuzzing against PyTorch float64 at the IEEE edges: 0, -0.0, +-1e308, +-inf, nan, subnormals.

Every op, alone on every pair of edge values, and random programs over every op. Values
agree to 2 ulps, or are both nan, or the same infinity (zeros with the same sign);
gradients agree to 1e-12 of their scale, or are both nan, or the same infinity. The
short profile runs in the default suite; `pytest -m fuzz` runs thousands of programs.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from tests.strategies import (
    BINARY,
    EDGE_VALUES,
    SPECIAL_EXPONENTS,
    UNARY,
    Program,
    Step,
    edge_programs,
    normal_programs,
)
from tests.torch_oracle import assert_matches_torch


def test_every_one_argument_op_at_every_edge_value_matches_torch() -> None:
    """exp, log, sqrt, ... of 0, -0.0, +-1e308, +-inf, nan, subnormals and overflow points."""
    for op, x in itertools.product(UNARY, EDGE_VALUES):
        assert_matches_torch(Program((x,), (Step(op, (0,)),)))


def test_every_two_argument_op_at_every_pair_of_edge_values_matches_torch() -> None:
    """+ - * / ** on two Values, and with either side a constant, over all edge pairs."""
    for op in BINARY:
        rights = EDGE_VALUES + (SPECIAL_EXPONENTS if op == "**" else ())
        for x, y in itertools.product(EDGE_VALUES, rights):
            assert_matches_torch(Program((x, y), (Step(op, (0, 1)),)))
            assert_matches_torch(Program((x,), (Step(op, (0, y)),)))
            assert_matches_torch(Program((y,), (Step(op, (x, 0)),)))


def test_node_used_twice_by_one_op_at_every_edge_value_matches_torch() -> None:
    """a + a, a * a, a / a, a ** a, a - a: both contributions, even when they are inf or nan."""
    for op, x in itertools.product(BINARY, EDGE_VALUES):
        assert_matches_torch(Program((x,), (Step(op, (0, 0)),)))


@settings(max_examples=150)
@given(edge_programs(max_nodes=12))
def test_random_programs_at_ieee_edges_match_torch(program: Program) -> None:
    """Short profile: random programs whose inputs and constants are often IEEE edges."""
    assert_matches_torch(program)


@pytest.mark.fuzz
@settings(max_examples=5000)
@given(edge_programs(max_nodes=24))
def test_long_fuzz_random_programs_at_ieee_edges_match_torch(program: Program) -> None:
    """Long profile (pytest -m fuzz): thousands of larger programs at the IEEE edges."""
    assert_matches_torch(program)


@pytest.mark.fuzz
@settings(max_examples=2000)
@given(normal_programs(max_nodes=40))
def test_long_fuzz_random_dags_in_the_normal_range_match_torch(program: Program) -> None:
    """Long profile (pytest -m fuzz): thousands of 2-to-40-node DAGs of ordinary numbers."""
    assert_matches_torch(program)
