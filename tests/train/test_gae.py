"""GAE against hand-computed values, truncation vs termination, padding."""

from __future__ import annotations

import torch

from echelon.train.gae import compute_gae


def _col(*xs: float) -> torch.Tensor:
    return torch.tensor(xs, dtype=torch.float32).view(-1, 1)


def _flags(*xs: int) -> torch.Tensor:
    return torch.tensor(xs, dtype=torch.bool).view(-1, 1)


def test_three_steps_by_hand() -> None:
    gamma, lam = 0.9, 0.8
    r, v = _col(1.0, 0.0, 2.0), _col(0.5, 1.0, 1.5)
    last = torch.tensor([3.0])
    adv, ret = compute_gae(r, v, _flags(0, 0, 0), _col(0, 0, 0), _flags(1, 1, 1), last, gamma, lam)
    d2 = 2.0 + 0.9 * 3.0 - 1.5  # 3.2
    d1 = 0.0 + 0.9 * 1.5 - 1.0  # 0.35
    d0 = 1.0 + 0.9 * 1.0 - 0.5  # 1.4
    a2 = d2
    a1 = d1 + 0.72 * a2  # 2.654
    a0 = d0 + 0.72 * a1  # 3.31088
    torch.testing.assert_close(adv.squeeze(1), torch.tensor([a0, a1, a2]))
    torch.testing.assert_close(ret, adv + v)


def test_truncation_bootstraps_from_final_obs_and_termination_does_not() -> None:
    gamma, lam = 0.9, 0.8
    r, v = _col(1.0, 1.0, 0.0), _col(2.0, 2.0, 7.0)
    last = torch.tensor([100.0])
    dones = _flags(0, 1, 0)  # the episode ends after step 1; step 2 starts a new one
    final_value = 4.0
    trunc_boot = _col(0.0, final_value, 0.0)
    adv_trunc, _ = compute_gae(r, v, dones, trunc_boot, _flags(1, 1, 1), last, gamma, lam)
    adv_term, _ = compute_gae(r, v, dones, _col(0, 0, 0), _flags(1, 1, 1), last, gamma, lam)
    # truncated: delta_1 = 1 + 0.9 * 4 - 2 = 2.6 ; terminated: delta_1 = 1 - 2 = -1
    assert abs(float(adv_trunc[1]) - 2.6) < 1e-6
    assert abs(float(adv_term[1]) - (-1.0)) < 1e-6
    # step 0 sees step 1 through the trace; the next episode's value (7) never leaks in
    assert abs(float(adv_trunc[0]) - ((1 + 0.9 * 2 - 2) + 0.72 * 2.6)) < 1e-6
    assert abs(float(adv_term[0]) - ((1 + 0.9 * 2 - 2) + 0.72 * -1.0)) < 1e-6
    assert abs(float(adv_trunc[2]) - (0 + 0.9 * 100 - 7)) < 1e-4


def test_padding_rows_get_zero_and_never_leak() -> None:
    gamma, lam = 0.99, 0.95
    r, v = _col(1.0, 0.5, 0.0, 0.0, 2.0), _col(0.3, 0.2, 0.0, 0.0, 1.0)
    dones = _flags(0, 1, 0, 0, 0)  # dies at step 1, padding at 2 and 3, new episode at 4
    valid = _flags(1, 1, 0, 0, 1)
    last = torch.tensor([0.7])
    adv, ret = compute_gae(r, v, dones, _col(0, 0, 0, 0, 0), valid, last, gamma, lam)
    r2, v2 = r.clone(), v.clone()
    r2[2:4], v2[2:4] = 55.0, -9.0
    adv2, ret2 = compute_gae(r2, v2, dones, _col(0, 0, 0, 0, 0), valid, last, gamma, lam)
    torch.testing.assert_close(adv, adv2)
    torch.testing.assert_close(ret, ret2)
    assert torch.all(adv[2:4] == 0) and torch.all(ret[2:4] == 0)


def test_matches_a_plain_python_float64_recursion() -> None:
    g = torch.Generator().manual_seed(0)
    steps, cols = 64, 7
    r = torch.randn(steps, cols, generator=g)
    v = torch.randn(steps, cols, generator=g)
    dones = torch.rand(steps, cols, generator=g) < 0.1
    boot = torch.where(torch.rand(steps, cols, generator=g) < 0.5, torch.randn(steps, cols), 0.0)
    boot = boot * dones
    valid = torch.ones(steps, cols, dtype=torch.bool)
    last = torch.randn(cols, generator=g)
    adv, _ = compute_gae(r, v, dones, boot, valid, last, 0.97, 0.9)
    for c in range(cols):
        running, nxt = 0.0, float(last[c])
        expected = [0.0] * steps
        for t in reversed(range(steps)):
            cont = 0.0 if dones[t, c] else 1.0
            delta = float(r[t, c]) + 0.97 * (cont * nxt + float(boot[t, c])) - float(v[t, c])
            running = delta + 0.97 * 0.9 * cont * running
            expected[t] = running
            nxt = float(v[t, c])
        torch.testing.assert_close(adv[:, c], torch.tensor(expected), atol=1e-5, rtol=1e-6)
