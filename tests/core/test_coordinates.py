import itertools

import numpy as np
import pytest

from onegrid.core.coordinates import (
    CRS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    from_wgs84_array,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    to_wgs84_array,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# (lon_min, lon_max, lat_min, lat_max) boxes spread over the country, from the far west to the
# far north-east and the south coast, so the offsets are exercised where they differ most.
REGIONS = {
    "shenyang": (123.4, 123.6, 41.7, 41.9),
    "beijing": (116.2, 116.6, 39.7, 40.1),
    "shanghai": (121.3, 121.7, 31.0, 31.4),
    "shenzhen": (113.8, 114.3, 22.4, 22.8),
    "urumqi": (87.4, 87.8, 43.6, 44.0),
    "lhasa": (90.9, 91.3, 29.5, 29.8),
    "harbin": (126.4, 126.8, 45.6, 45.9),
    "sanya": (109.3, 109.7, 18.2, 18.4),
}

OUTSIDE_CHINA = [
    (139.6917, 35.6895),  # Tokyo: east of the box
    (-0.1276, 51.5072),  # London
    (151.2093, -33.8688),  # Sydney: south of the box
    (37.6173, 55.7558),  # Moscow: west of the box
    (100.0, 60.0),  # Siberia: north of the box
]

ALL_CRS = [CRS.WGS84, CRS.GCJ02, CRS.BD09]


def _grid(steps=9):
    for lon_min, lon_max, lat_min, lat_max in REGIONS.values():
        lons = np.linspace(lon_min, lon_max, steps)
        lats = np.linspace(lat_min, lat_max, steps)
        for lon, lat in itertools.product(lons, lats):
            yield float(lon), float(lat)


def _assert_close(actual, expected, tol):
    assert abs(actual[0] - expected[0]) <= tol, (actual, expected)
    assert abs(actual[1] - expected[1]) <= tol, (actual, expected)


# --- published reference pairs ------------------------------------------------------------


def test_wgs84_to_gcj02_matches_coordtransform_readme():
    # wandergis/coordtransform README.md (npm "coordtransform"), "示例用法":
    # wgs84togcj02(116.404, 39.915) -> [ 116.41024449916938, 39.91640428150164 ]
    _assert_close(wgs84_to_gcj02(116.404, 39.915), (116.41024449916938, 39.91640428150164), 1e-9)


def test_gcj02_to_bd09_matches_coordtransform_readme():
    # wandergis/coordtransform README.md: gcj02tobd09(116.404, 39.915)
    # -> [ 116.41036949371029, 39.92133699351021 ]
    _assert_close(gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), 1e-9)


def test_bd09_to_gcj02_matches_coordtransform_readme_within_its_approximation():
    # wandergis/coordtransform README.md: bd09togcj02(116.404, 39.915)
    # -> [ 116.39762729119315, 39.90865673957631 ]
    # That closed form is only an approximate inverse (off by up to ~2e-6 deg over China); ours
    # is exact, so compare within the approximation's error and pin exactness by round trip.
    result = bd09_to_gcj02(116.404, 39.915)
    _assert_close(result, (116.39762729119315, 39.90865673957631), 2e-6)
    _assert_close(gcj02_to_bd09(*result), (116.404, 39.915), 1e-10)


def test_gcj02_to_wgs84_matches_coordtransform_readme_within_its_approximation():
    # wandergis/coordtransform README.md: gcj02towgs84(116.404, 39.915)
    # -> [ 116.39775550083061, 39.91359571849836 ]
    # That is the one-step approximation (gcj - offset(gcj)), good to ~1e-5 deg; ours is exact.
    result = gcj02_to_wgs84(116.404, 39.915)
    _assert_close(result, (116.39775550083061, 39.91359571849836), 1e-5)
    _assert_close(wgs84_to_gcj02(*result), (116.404, 39.915), 1e-10)


# googollee/eviltransform python/test.py TESTS (same table in go/transform_test.go and
# javascript/test.js), stored there as (wgsLat, wgsLng, gcjLat, gcjLng); reordered to lon, lat.
EVILTRANSFORM_PAIRS = [
    # shanghai
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    # shenzhen
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    # beijing
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_eviltransform(wgs, gcj):
    _assert_close(wgs84_to_gcj02(*wgs), gcj, 1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_PAIRS)
def test_gcj02_to_wgs84_inverts_eviltransform_pairs_exactly(wgs, gcj):
    # The pairs are full-precision forward results, so an exact inverse must land on the input.
    _assert_close(gcj02_to_wgs84(*gcj), wgs, 1e-9)


# --- round trips ----------------------------------------------------------------------------


def test_wgs84_gcj02_round_trip_across_china():
    for lon, lat in _grid():
        _assert_close(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat), 1e-9)


def test_wgs84_bd09_round_trip_across_china():
    for lon, lat in _grid():
        _assert_close(bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), (lon, lat), 1e-9)


def test_gcj02_bd09_round_trip_across_china():
    for lon, lat in _grid():
        _assert_close(bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), (lon, lat), 1e-9)


@pytest.mark.parametrize("crs", ALL_CRS)
def test_dispatch_round_trip(crs):
    for lon, lat in _grid(steps=3):
        _assert_close(to_wgs84(*from_wgs84(lon, lat, crs), crs), (lon, lat), 1e-9)


def test_offsets_have_the_expected_size():
    # Guards against a transform silently becoming the identity: in Shenyang GCJ-02 moves
    # points by a few hundred metres and BD-09 adds roughly another kilometre.
    lon, lat = 123.43, 41.80
    gcj = wgs84_to_gcj02(lon, lat)
    bd = wgs84_to_bd09(lon, lat)
    assert 1e-3 < abs(gcj[0] - lon) + abs(gcj[1] - lat) < 2e-2
    assert 5e-3 < abs(bd[0] - gcj[0]) + abs(bd[1] - gcj[1]) < 3e-2


# --- outside China --------------------------------------------------------------------------


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_CHINA)
def test_gcj02_transforms_leave_points_outside_china_unchanged(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert from_wgs84(lon, lat, CRS.GCJ02) == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == (lon, lat)


def test_out_of_china_box_edges():
    # The published test keeps the box edges inside: 72.004 is shifted, just west of it is not.
    assert wgs84_to_gcj02(72.004, 40.0) != (72.004, 40.0)
    assert wgs84_to_gcj02(72.0039, 40.0) == (72.0039, 40.0)
    assert wgs84_to_gcj02(120.0, 55.8272) == (120.0, 55.8272)


def test_array_leaves_points_outside_china_unchanged():
    lons = np.array([p[0] for p in OUTSIDE_CHINA] + [123.43])
    lats = np.array([p[1] for p in OUTSIDE_CHINA] + [41.80])
    for convert in (to_wgs84_array, from_wgs84_array):
        out_lons, out_lats = convert(lons, lats, CRS.GCJ02)
        np.testing.assert_array_equal(out_lons[:-1], lons[:-1])
        np.testing.assert_array_equal(out_lats[:-1], lats[:-1])
        assert out_lons[-1] != lons[-1]


# --- scalar API details ---------------------------------------------------------------------


def test_crs_values():
    assert [c.value for c in CRS] == ["wgs84", "gcj02", "bd09"]
    assert CRS("bd09") is CRS.BD09
    assert CRS.GCJ02 == "gcj02"


@pytest.mark.parametrize("crs", ALL_CRS)
def test_dispatch_accepts_enum_and_string(crs):
    assert to_wgs84(123.43, 41.80, crs) == to_wgs84(123.43, 41.80, crs.value)
    assert from_wgs84(123.43, 41.80, crs) == from_wgs84(123.43, 41.80, crs.value)


def test_dispatch_matches_the_direct_functions():
    p = (123.43, 41.80)
    assert to_wgs84(*p, "wgs84") == p
    assert from_wgs84(*p, "wgs84") == p
    assert to_wgs84(*p, "gcj02") == gcj02_to_wgs84(*p)
    assert to_wgs84(*p, "bd09") == bd09_to_wgs84(*p)
    assert from_wgs84(*p, "gcj02") == wgs84_to_gcj02(*p)
    assert from_wgs84(*p, "bd09") == wgs84_to_bd09(*p)


@pytest.mark.parametrize(
    "convert",
    [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, wgs84_to_bd09, bd09_to_wgs84],
)
def test_scalar_functions_return_plain_floats(convert):
    for lon, lat in [(123, 41), (np.float64(123.43), np.float64(41.8)), (139.69, 35.69)]:
        result = convert(lon, lat)
        assert isinstance(result, tuple)
        assert [type(v) for v in result] == [float, float]


@pytest.mark.parametrize("convert", [to_wgs84, from_wgs84])
def test_unknown_crs_string_raises(convert):
    with pytest.raises(ValueError) as excinfo:
        convert(123.43, 41.80, "epsg:4326")
    message = str(excinfo.value)
    assert "epsg:4326" in message
    for name in ("wgs84", "gcj02", "bd09"):
        assert name in message


@pytest.mark.parametrize("convert", [to_wgs84_array, from_wgs84_array])
def test_unknown_crs_string_raises_for_arrays(convert):
    with pytest.raises(ValueError, match="wgs84, gcj02, bd09"):
        convert(np.array([123.43]), np.array([41.80]), "WGS-84")


# --- array API ------------------------------------------------------------------------------


def _sample_points():
    rng = np.random.default_rng(20240521)
    lons = rng.uniform(73.0, 135.0, 500)
    lats = rng.uniform(18.0, 53.0, 500)
    outside = np.array(OUTSIDE_CHINA)
    return np.concatenate([lons, outside[:, 0]]), np.concatenate([lats, outside[:, 1]])


@pytest.mark.parametrize("crs", ALL_CRS)
@pytest.mark.parametrize(
    ("array_fn", "scalar_fn"), [(to_wgs84_array, to_wgs84), (from_wgs84_array, from_wgs84)]
)
def test_array_versions_match_scalar_versions(crs, array_fn, scalar_fn):
    lons, lats = _sample_points()
    out_lons, out_lats = array_fn(lons, lats, crs)
    expected = np.array([scalar_fn(lon, lat, crs) for lon, lat in zip(lons, lats, strict=True)])
    np.testing.assert_allclose(out_lons, expected[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(out_lats, expected[:, 1], rtol=0, atol=1e-9)


@pytest.mark.parametrize("crs", ALL_CRS)
def test_array_round_trip(crs):
    lons, lats = _sample_points()
    back_lons, back_lats = to_wgs84_array(*from_wgs84_array(lons, lats, crs), crs)
    np.testing.assert_allclose(back_lons, lons, rtol=0, atol=1e-9)
    np.testing.assert_allclose(back_lats, lats, rtol=0, atol=1e-9)


@pytest.mark.parametrize("crs", ALL_CRS)
def test_array_versions_keep_shape_and_leave_inputs_alone(crs):
    lons = np.array([[123.43, 116.40], [121.47, 139.69]])
    lats = np.array([[41.80, 39.90], [31.23, 35.69]])
    lons_before, lats_before = lons.copy(), lats.copy()
    for convert in (to_wgs84_array, from_wgs84_array):
        out_lons, out_lats = convert(lons, lats, crs.value)
        assert out_lons.shape == out_lats.shape == (2, 2)
        assert out_lons.dtype == out_lats.dtype == np.float64
        assert not np.shares_memory(out_lons, lons)
        assert not np.shares_memory(out_lats, lats)
    np.testing.assert_array_equal(lons, lons_before)
    np.testing.assert_array_equal(lats, lats_before)


def test_array_versions_accept_lists_and_empty_input():
    out_lons, out_lats = to_wgs84_array([123.43], [41.80], "bd09")
    assert (out_lons[0], out_lats[0]) == pytest.approx(bd09_to_wgs84(123.43, 41.80), abs=1e-12)
    empty_lons, empty_lats = from_wgs84_array(np.array([]), np.array([]), CRS.GCJ02)
    assert empty_lons.shape == empty_lats.shape == (0,)
