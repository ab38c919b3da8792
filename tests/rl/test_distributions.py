"""Squashed Gaussian: change of variables, one epsilon, squashed entropy."""

from __future__ import annotations

import math

import torch

from echelon.rl.distributions import TANH_EPS, SquashedGaussian


def _normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


def test_log_prob_matches_numerical_change_of_variables() -> None:
    mean, log_std = torch.tensor([[0.3]]), torch.tensor([[-0.4]])
    dist = SquashedGaussian(mean.double(), log_std.double())
    a = torch.linspace(-0.99, 0.99, 41, dtype=torch.float64).view(-1, 1)
    h = 1e-6
    std = math.exp(-0.4)

    def cdf(x: torch.Tensor) -> torch.Tensor:  # P(tanh U <= x)
        return _normal_cdf((torch.atanh(x) - 0.3) / std)

    numeric = (cdf(a + h) - cdf(a - h)) / (2 * h)
    got = SquashedGaussian(mean.double().expand(41, 1), log_std.double().expand(41, 1)).log_prob(a)
    torch.testing.assert_close(got.exp(), numeric.squeeze(-1), rtol=1e-5, atol=1e-8)
    # and the density integrates to one over (-1, 1)
    grid = torch.linspace(-1 + 1e-9, 1 - 1e-9, 200_001, dtype=torch.float64).view(-1, 1)
    dens = SquashedGaussian(
        mean.double().expand(len(grid), 1), log_std.double().expand(len(grid), 1)
    )
    total = torch.trapezoid(dens.log_prob(grid).exp(), grid.squeeze(-1))
    assert abs(float(total) - 1.0) < 1e-4
    assert dist.mean.shape == (1, 1)


def test_saturated_actions_give_identical_stored_and_recomputed_log_probs() -> None:
    mean = torch.full((256, 3), 9.0)  # tanh(u) rounds to 1.0 in float32 for most samples
    dist = SquashedGaussian(mean, torch.zeros(256, 3))
    action = dist.sample(torch.Generator().manual_seed(0))
    assert action.abs().max() <= 1 - TANH_EPS
    stored = dist.log_prob(action)
    recomputed = SquashedGaussian(mean.clone(), torch.zeros(256, 3)).log_prob(action.clone())
    assert torch.isfinite(stored).all()
    assert torch.equal(stored, recomputed)
    # out-of-range inputs (e.g. a clipped env action) are clamped by the same epsilon
    assert torch.isfinite(dist.log_prob(torch.ones(256, 3))).all()


def test_entropy_is_that_of_the_squashed_distribution() -> None:
    torch.manual_seed(0)
    mean = torch.tensor([[0.0, 1.5, -0.7]], dtype=torch.float64)
    log_std = torch.tensor([[0.5, -1.0, -3.0]], dtype=torch.float64)
    dist = SquashedGaussian(mean, log_std)
    u = mean + log_std.exp() * torch.randn(400_000, 3, dtype=torch.float64)
    a = torch.tanh(u)
    monte_carlo = -dist.log_prob(a.clamp(-1 + 1e-12, 1 - 1e-12)).mean()
    assert abs(float(dist.entropy()) - float(monte_carlo)) < 5e-3
    # a squashed distribution on [-1, 1]^3 can never beat the uniform one
    wide = SquashedGaussian(torch.zeros(1, 3), torch.full((1, 3), 3.0))
    assert float(wide.entropy()) < 3 * math.log(2.0)
    assert float(wide.entropy()) < float(wide.gaussian_entropy())


def test_entropy_has_gradient_through_mean_and_std() -> None:
    mean = torch.tensor([[0.8, -0.3]], requires_grad=True)
    log_std = torch.tensor([[0.2, -0.5]], requires_grad=True)
    SquashedGaussian(mean, log_std).entropy().sum().backward()
    assert mean.grad is not None and torch.all(mean.grad.abs() > 1e-4)
    # moving the mean toward 0 raises the squashed entropy
    assert mean.grad[0, 0] < 0 and mean.grad[0, 1] > 0
    assert log_std.grad is not None and torch.all(log_std.grad.abs() > 1e-4)
