"""The observation's shared host/device math (cpp/echelon/base/hd_math.hpp): the CPU writer and
the CUDA kernels run the same fixed polynomials (no FMA), so their sines, cosines, arctangents
and logarithms agree bit for bit by construction. Here: their accuracy against a float64
reference over dense ranges, within the bounds hd_math.hpp states, and the IEEE special cases."""

from __future__ import annotations

import numpy as np
import pytest

from echelon import _core


def shared(name: str, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    return _core.shared_math(name, np.ascontiguousarray(x, np.float32), y)


def ulps(got: np.ndarray, ref: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """|got - ref| in units of the float32 spacing at the reference (at least `floor`)."""
    spacing = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - ref) / np.maximum(spacing, floor)


def floats_between(lo: float, hi: float, stride: int) -> np.ndarray:
    """Every `stride`-th float32 in [lo, hi] (0 <= lo < hi) by bit pattern: dense at all scales."""
    bits = np.arange(
        np.float32(lo).view(np.uint32), np.float32(hi).view(np.uint32) + 1, stride, dtype=np.uint32
    )
    return bits.view(np.float32)


def test_sin_cos_within_two_ulp_below_8192() -> None:
    pos = floats_between(0.0, 8192.0, 997)
    x = np.concatenate([pos, -pos, np.linspace(-13.0, 13.0, 400_001, dtype=np.float32)])
    for name, ref_fn in (("sin", np.sin), ("cos", np.cos)):
        ref = ref_fn(x.astype(np.float64))
        err = ulps(shared(name, x), ref, floor=2.0**-24)
        assert err.max() <= 2.0, f"{name}: {err.max():.2f} ulp at x={x[err.argmax()]!r}"


def test_sin_cos_special_values_and_large_arguments() -> None:
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], np.float32)
    s, c = shared("sin", x), shared("cos", x)
    assert s[0] == 0.0 and not np.signbit(s[0]) and s[1] == 0.0 and np.signbit(s[1])
    assert c[0] == 1.0 and c[1] == 1.0
    assert np.isnan(s[2:]).all() and np.isnan(c[2:]).all()
    big = np.array([8193.0, 1e5, -3e7, 3.4e38], np.float32)  # deterministic, bounded
    for name in ("sin", "cos"):
        v = shared(name, big)
        assert np.isfinite(v).all() and (np.abs(v) <= 1.0).all()


def test_atan2_within_four_ulp() -> None:
    rng = np.random.default_rng(0)
    grid = np.linspace(-60.0, 60.0, 1201, dtype=np.float32)
    yy, xx = np.meshgrid(grid, grid)
    y = np.concatenate([yy.ravel(), rng.standard_normal(500_000).astype(np.float32) * 1e3])
    x = np.concatenate([xx.ravel(), rng.standard_normal(500_000).astype(np.float32) * 1e-2])
    ref = np.arctan2(y.astype(np.float64), x.astype(np.float64))
    err = ulps(shared("atan2", y, x), ref)
    assert err.max() <= 4.0, f"{err.max():.2f} ulp at (y, x)=({y[err.argmax()]}, {x[err.argmax()]})"


def test_atan2_axes_and_signed_zeros_follow_c() -> None:
    y = np.array([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, 2.0], np.float32)
    x = np.array([0.0, 0.0, -0.0, -0.0, 0.0, 0.0, -3.0, -3.0, 2.0], np.float32)
    got = shared("atan2", y, x)
    want = np.arctan2(y, x)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    assert (ulps(got, want.astype(np.float64)) <= 1.0).all()


def test_log_within_one_ulp() -> None:
    x = np.concatenate(
        [floats_between(1e-38, 3e38, 2003), np.linspace(1.0, 50.0, 200_001, dtype=np.float32)]
    )
    err = ulps(shared("log", x), np.log(x.astype(np.float64)))
    assert err.max() <= 1.0, f"{err.max():.2f} ulp at x={x[err.argmax()]!r}"
    special = shared("log", np.array([0.0, 1.0, np.inf, -1.0, np.nan], np.float32))
    assert special[0] == -np.inf and special[1] == 0.0 and special[2] == np.inf
    assert np.isnan(special[3:]).all()


def test_bad_calls_name_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown shared math function 'tan'"):
        shared("tan", np.zeros(2))
    with pytest.raises(ValueError, match="atan2 needs a second array"):
        shared("atan2", np.zeros(2))
    with pytest.raises(ValueError, match="same length"):
        shared("atan2", np.zeros(2), np.zeros(3, np.float32))
