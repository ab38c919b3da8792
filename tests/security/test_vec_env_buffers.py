"""The env's output tensors cannot pull memory out from under the core (docs/security.md, 4), and
``VecEnv(device="cpu:0")`` is a CPU env that steps (section 5).

The core keeps raw pointers to the output buffers. A caller that grew one (``obs.resize_(N)``)
used to free the storage the core kept writing to, and Python aborted with heap corruption."""

from __future__ import annotations

import pytest
import torch
from hostile import run_python

from echelon import EnvConfig, VecEnv

CFG = EnvConfig(map_size=(32, 32, 8), map_type="empty", max_episode_seconds=2.0)


def _actions(env: VecEnv, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(env.num_worlds, env.num_agents, env.action_dim, generator=g) * 2 - 1


def _outputs(env: VecEnv, step: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
    obs, reward, terminated, truncated, info = step  # type: ignore[misc]
    tensors = {k: v for k, v in info.items() if isinstance(v, torch.Tensor)}
    return {
        "obs": obs,
        "reward": reward,
        "terminated": terminated,
        "truncated": truncated,
        **tensors,
    }


def test_no_output_tensor_can_be_grown() -> None:
    env = VecEnv(CFG, num_worlds=2, num_threads=1)
    env.reset()
    outputs = _outputs(env, env.step(_actions(env, 0)))
    assert len(outputs) == 10
    for name, tensor in outputs.items():
        with pytest.raises(RuntimeError, match="not resizable"):
            tensor.resize_(tensor.numel() * 4 + 1000)
        with pytest.raises(RuntimeError, match="not resizable"):
            tensor.untyped_storage().resize_(0)
        assert tensor.numel() > 0, name


def test_what_a_caller_does_to_a_returned_tensor_stays_with_the_caller() -> None:
    """set_() and a failed resize_() (torch leaves the sizes changed when it refuses) change only
    the caller's view: the next step returns whole views and the same values as a twin."""
    a, b = (VecEnv(CFG, num_worlds=2, seed=4, num_threads=1) for _ in range(2))
    a.reset(), b.reset()
    obs, reward, *_ = a.step(_actions(a, 0))
    b.step(_actions(b, 0))
    reward.set_(torch.zeros(3))
    with pytest.raises(RuntimeError):
        obs.resize_(10**7)
    for t in range(1, 6):
        out_a, out_b = _outputs(a, a.step(_actions(a, t))), _outputs(b, b.step(_actions(b, t)))
        for k in out_a:
            assert out_a[k].shape == out_b[k].shape and torch.equal(out_a[k], out_b[k]), (t, k)


def test_the_original_crash_runs_to_the_end_in_a_child() -> None:
    """The reported sequence, in a child so a heap corruption would show as a crash here."""
    code = """
import torch
from echelon import EnvConfig, VecEnv
env = VecEnv(EnvConfig(map_size=(32, 32, 8), map_type="empty"), num_worlds=2, num_threads=2)
obs = env.reset()
try:
    obs.resize_(50_000_000)
except RuntimeError as e:
    print("refused:", e)
a = torch.zeros(2, env.num_agents, env.action_dim)
for _ in range(50):
    obs, *_ = env.step(a)
print("finite", bool(torch.isfinite(obs).all()))
"""
    out = run_python(code, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "refused: Trying to resize storage that is not resizable" in out.stdout
    assert "finite True" in out.stdout


@pytest.mark.parametrize("device", ["cpu:0", torch.device("cpu", 0)])
def test_cpu_zero_is_a_cpu_env_that_steps(device: object) -> None:
    env = VecEnv(CFG, num_worlds=1, device=device, num_threads=1)  # type: ignore[arg-type]
    assert env.device == torch.device("cpu")
    env.reset()
    obs, *_ = env.step(torch.zeros(1, env.num_agents, env.action_dim, device="cpu:0"))
    assert obs.device == torch.device("cpu")
