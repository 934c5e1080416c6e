"""Point → grid lookup and the border rule."""

import random

import numpy as np
from shapely.geometry import box

from onegrid.territory.geoindex import GridIndex

# A 2 × 2 block of unit squares: A B on top, C D below.
SQUARES = {
    "100": box(0, 1, 1, 2),
    "200": box(1, 1, 2, 2),
    "300": box(0, 0, 1, 1),
    "400": box(1, 0, 2, 1),
}


def _index(order=None):
    codes = order or list(SQUARES)
    return GridIndex(codes, [SQUARES[c] for c in codes])


def test_interior_points_find_their_square():
    index = _index()
    assert index.locate(0.5, 1.5) == "100"
    assert index.locate(1.5, 0.5) == "400"


def test_a_point_on_a_shared_edge_goes_to_the_smallest_code():
    index = _index()
    assert index.locate(1.0, 1.5) == "100"  # between 100 and 200
    assert index.locate(1.5, 1.0) == "200"  # between 200 and 400
    assert index.locate(1.0, 0.5) == "300"  # between 300 and 400


def test_the_shared_corner_goes_to_the_smallest_of_four():
    assert _index().locate(1.0, 1.0) == "100"


def test_the_outer_border_belongs_to_the_grid_and_outside_to_none():
    index = _index()
    assert index.locate(0.0, 0.5) == "300"
    assert index.locate(2.0001, 0.5) is None
    assert index.locate(-5, -5) is None


def test_the_answer_does_not_depend_on_the_order_grids_were_given():
    codes = list(SQUARES)
    points = np.array([[1.0, 1.0], [1.0, 1.5], [1.5, 1.0], [0.5, 0.5], [3, 3]])
    expected = [_index().locate(x, y) for x, y in points]
    for seed in range(5):
        random.Random(seed).shuffle(codes)
        assert [_index(codes).locate(x, y) for x, y in points] == expected


def test_bulk_lookup_agrees_with_single_lookups():
    index = _index()
    rng = np.random.default_rng(1)
    xy = rng.uniform(-0.5, 2.5, size=(500, 2))
    found = index.locate_indices(xy[:, 0], xy[:, 1])
    singles = [index.locate(x, y) for x, y in xy]
    assert [None if i < 0 else index.codes[i] for i in found] == singles
