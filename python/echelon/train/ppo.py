"""PPO update over a recurrent rollout with chunked truncated BPTT.

One update (``PPOLearner.update``):

1. GAE on de-normalised values (``echelon.train.gae``), then the value normaliser is
   updated with the real rows' returns and the critic is regressed on normalised returns.
2. Advantages are normalised over real rows: globally, per group (role/class), or not.
3. The rollout is cut into chunks of ``L`` steps; every (chunk, column) pair is one
   sequence. Each epoch shuffles the sequences with ``torch.randperm`` on the learner's
   own seeded generator and splits them into minibatches, so a minibatch mixes worlds,
   agents and times (the reference used one contiguous time slice of every column).
4. Each minibatch runs through the LSTM as ``[L, M]`` sequences with done-masked resets
   inside the chunk (``RecurrentActorCritic.forward_sequence``), starting from the chunk's
   stored start state. Those states were recorded by the rollout with the behaviour
   weights and are therefore *stale* for later minibatches and epochs (the usual
   truncated-BPTT approximation); ``recompute_start_states`` re-runs the whole rollout
   without grad before every epoch to refresh them (one extra forward pass per epoch).
5. Loss = clipped surrogate - entropy bonus + value loss (optionally clipped in the
   normalised space), every term a mean over real rows only. Non-finite terms stop the
   update before the optimiser step and raise ``NonFiniteLossError`` naming the term.
   The global grad norm (pre-clip) is logged; KL early stop ends the update once the
   approximate KL of a minibatch exceeds ``target_kl``.

Several processes (``comm``, ``rows``; docs/training.md, "Several processes and machines"): the
buffer holds this rank's columns, a block of the job's. Sequences are numbered over the job's
columns and shuffled by a generator seeded alike on every rank, so minibatch k is the same set of
job sequences everywhere and each rank trains on its part of it. Normalisation statistics, the
row counts that divide every loss term, the logged terms and KL are sums over ranks, and the
gradient is averaged by ``DistributedDataParallel`` (each rank's loss is scaled by the number of
ranks, since its terms are already divided by the job's row count): the update equals one process
training on all columns, up to float32 rounding in the order of the sums.

Metrics accumulate as device tensors; the only host sync per minibatch is the one that
checks finiteness and KL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from echelon.distributed import SINGLE, Comm, RowShard
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import RecurrentActorCritic
from echelon.train.buffer import RolloutBuffer
from echelon.train.distributed import training_forward
from echelon.train.gae import compute_gae
from echelon.train.normalization import RunningMeanStd

AdvantageNorm = Literal["global", "per_group", "none"]
Reduce = Callable[[Tensor], Tensor]
# Loss terms summed over ranks per minibatch (the finiteness check, KL early stop and the logs
# see the job's values).
REDUCED_TERMS = ("policy_loss", "value_loss", "entropy", "loss", "approx_kl", "clipfrac")


class NonFiniteLossError(RuntimeError):
    """A loss term or the gradient norm became NaN/inf; ``term`` names which."""

    def __init__(self, term: str, where: str) -> None:
        super().__init__(f"non-finite {term} ({where}); update stopped before the optimiser step")
        self.term = term


@dataclass(frozen=True)
class PPOConfig:
    rollout_steps: int = 128
    chunk_length: int = 32
    num_minibatches: int = 4
    update_epochs: int = 4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_coef: float = 0.2
    value_clip_coef: float | None = None
    vf_coef: float = 0.5
    ent_coef: float = 0.01
    ent_coef_end: float | None = None
    lr: float = 3e-4
    lr_end: float | None = None
    lr_schedule: Literal["constant", "linear", "cosine"] = "constant"
    adam_eps: float = 1e-5
    max_grad_norm: float = 0.5
    target_kl: float | None = None
    advantage_norm: AdvantageNorm = "global"
    normalize_values: bool = True
    recompute_start_states: bool = False

    def __post_init__(self) -> None:
        positive = ("rollout_steps", "chunk_length", "num_minibatches", "update_epochs", "lr")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"ppo.{name} must be > 0, got {getattr(self, name)}")
        if self.rollout_steps % self.chunk_length:
            raise ValueError(
                f"ppo.rollout_steps ({self.rollout_steps}) must be a multiple of "
                f"ppo.chunk_length ({self.chunk_length})"
            )
        for name in ("gamma", "gae_lambda"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"ppo.{name} must be in [0, 1], got {getattr(self, name)}")
        if self.clip_coef <= 0 or self.max_grad_norm <= 0:
            raise ValueError("ppo.clip_coef and ppo.max_grad_norm must be > 0")
        if self.advantage_norm not in ("global", "per_group", "none"):
            raise ValueError(
                f"ppo.advantage_norm must be global, per_group or none, got {self.advantage_norm!r}"
            )
        if self.lr_schedule not in ("constant", "linear", "cosine"):
            raise ValueError(
                f"ppo.lr_schedule must be constant, linear or cosine, got {self.lr_schedule!r}"
            )


def masked_mean(x: Tensor, mask: Tensor, count: Tensor | None = None) -> Tensor:
    """Mean over rows where ``mask`` is true; padding (even NaN) never leaks in. ``count``
    replaces ``mask.sum()`` as the divisor (a rank's share of a mean over the job's rows)."""
    total = torch.where(mask, x, torch.zeros_like(x)).sum()
    count = mask.sum() if count is None else count
    return total / count.clamp_min(1).to(x.dtype)


def _identity(t: Tensor) -> Tensor:
    return t


def normalize_advantages(
    adv: Tensor,
    valid: Tensor,
    mode: AdvantageNorm,
    groups: Tensor | None,
    reduce: Reduce | None = None,
) -> Tensor:
    """Zero-mean unit-std over real rows (per group of columns when asked); ``reduce`` sums the
    statistics over ranks (in place), so a distributed run normalises over the job's rows."""
    reduce = reduce or _identity
    if mode == "none":
        return adv * valid
    if mode == "global" or groups is None:
        group_ids = torch.zeros(adv.shape[1], dtype=torch.long, device=adv.device)
    else:
        group_ids = groups.to(adv.device)
    num_groups = int(group_ids.max()) + 1
    one_hot = torch.nn.functional.one_hot(group_ids, num_groups).to(torch.float64)  # [B, G]
    m = valid.to(torch.float64)
    a = adv.to(torch.float64) * m
    count = reduce((m @ one_hot).sum(0)).clamp_min(1.0)
    mean = reduce((a @ one_hot).sum(0)) / count
    centred = (adv.to(torch.float64) - (one_hot @ mean)) * m
    var = reduce(((centred**2) @ one_hot).sum(0)) / count
    std = torch.sqrt(var) + 1e-8
    return (centred / (one_hot @ std)).to(adv.dtype)


class PPOLearner:
    def __init__(
        self,
        model: RecurrentActorCritic,
        config: PPOConfig,
        device: torch.device | str,
        seed: int = 0,
        comm: Comm = SINGLE,
        rows: RowShard | None = None,
    ) -> None:
        """``comm``/``rows``: the job's processes and this rank's block of its learner columns
        (default: one process owning every column of the buffer)."""
        self.model = model
        self.config = config
        self.device = torch.device(device)
        self.comm = comm
        self.rows = rows
        # DDP wraps the sequence forward with several processes (broadcasting rank 0's weights
        # now); the model's own forward_sequence otherwise.
        self.forward = training_forward(model, comm, self.device)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, eps=config.adam_eps)
        self.value_norm = RunningMeanStd(self.device)
        self.generator = torch.Generator(device="cpu")
        self.generator.manual_seed(seed)
        self.update_count = 0

    # -- value scale -------------------------------------------------------------------
    def denormalize_value(self, value: Tensor) -> Tensor:
        return self.value_norm.denormalize(value) if self.config.normalize_values else value

    def normalize_value(self, value: Tensor) -> Tensor:
        return self.value_norm.normalize(value) if self.config.normalize_values else value

    # -- update ------------------------------------------------------------------------
    def compute_targets(self, buf: RolloutBuffer) -> None:
        cfg = self.config
        adv, ret = compute_gae(
            buf.rewards,
            buf.values,
            buf.dones,
            buf.bootstrap,
            buf.valid,
            buf.last_value,
            cfg.gamma,
            cfg.gae_lambda,
        )
        buf.advantages.copy_(adv)
        buf.returns.copy_(ret)

    @torch.no_grad()
    def _recompute_start_states(self, buf: RolloutBuffer) -> None:
        state = buf.chunk_start_state(0).clone()
        for chunk in range(buf.num_chunks):
            buf.start_h[chunk].copy_(state.h)
            buf.start_c[chunk].copy_(state.c)
            sl = slice(chunk * buf.chunk_length, (chunk + 1) * buf.chunk_length)
            _, state = self.model.forward_sequence(buf.obs[sl], state, buf.episode_start[sl])

    def update(
        self,
        buf: RolloutBuffer,
        lr: float | None = None,
        ent_coef: float | None = None,
        groups: Tensor | None = None,
    ) -> dict[str, float]:
        """One PPO update on a filled buffer; returns mean metrics over optimiser steps."""
        cfg = self.config
        lr = cfg.lr if lr is None else lr
        ent_coef = cfg.ent_coef if ent_coef is None else ent_coef
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        reduce = self.comm.sum_
        self.compute_targets(buf)
        if cfg.normalize_values:
            self.value_norm.update(buf.returns, buf.valid, reduce=reduce)
        targets = self.normalize_value(buf.returns)
        old_values = self.normalize_value(buf.values)
        advantages = normalize_advantages(
            buf.advantages, buf.valid, cfg.advantage_norm, groups, reduce=reduce
        )

        rows = self.rows or RowShard.whole(buf.columns)
        num_seq = buf.num_chunks * rows.total  # the job's sequences
        if num_seq < cfg.num_minibatches:
            raise ValueError(
                f"{num_seq} sequences (chunks x columns) cannot fill "
                f"{cfg.num_minibatches} minibatches; lower ppo.num_minibatches"
            )
        # Real rows per sequence (id = chunk * columns + column), to count each minibatch's.
        seq_valid = buf.valid.view(buf.num_chunks, buf.chunk_length, buf.columns).sum(1).flatten()
        totals: dict[str, Tensor] = {}
        steps = 0
        stopped_early = False
        self.model.train()
        for epoch in range(cfg.update_epochs):
            if cfg.recompute_start_states and epoch > 0:
                self._recompute_start_states(buf)
            order = torch.randperm(num_seq, generator=self.generator)
            batches = [
                rows.local_sequences(mb).to(self.device) for mb in order.chunk(cfg.num_minibatches)
            ]
            # The divisor of every loss term: the job's real rows in each minibatch.
            counts = reduce(torch.stack([seq_valid[b].sum() for b in batches]))
            for mb, seqs in enumerate(batches):
                where = f"update {self.update_count}, epoch {epoch}, minibatch {mb}"
                metrics = self._minibatch_step(
                    buf, seqs, counts[mb], advantages, targets, old_values, ent_coef, where
                )
                for key, value in metrics.items():
                    totals[key] = totals.get(key, torch.zeros((), device=self.device)) + value
                steps += 1
                if cfg.target_kl is not None and float(metrics["approx_kl"]) > cfg.target_kl:
                    stopped_early = True
                    break
            if stopped_early:
                break
        self.update_count += 1
        result = {key: float(value) / steps for key, value in totals.items()}
        result.update(
            optimizer_steps=float(steps),
            early_stop=float(stopped_early),
            lr=lr,
            ent_coef=ent_coef,
            value_mean=float(self.value_norm.mean),
            value_std=float(self.value_norm.std),
            explained_variance=self._explained_variance(buf),
        )
        return result

    def _explained_variance(self, buf: RolloutBuffer) -> float:
        """``1 - Var(R - V) / Var(R)`` over the job's real rows (unbiased variances)."""
        w = buf.valid.to(torch.float64)
        ret, err = buf.returns.double(), (buf.returns - buf.values).double()
        n, ret_sum, err_sum = self.comm.sum_(
            torch.stack([w.sum(), (ret * w).sum(), (err * w).sum()])
        )
        if float(n) < 2:
            return float("nan")
        squares = torch.stack(
            [(((ret - ret_sum / n) ** 2) * w).sum(), (((err - err_sum / n) ** 2) * w).sum()]
        )
        var_ret, var_err = (self.comm.sum_(squares) / (n - 1)).tolist()
        return 1.0 - var_err / var_ret if var_ret > 0 else float("nan")

    def sequence_losses(
        self,
        buf: RolloutBuffer,
        seqs: Tensor,
        advantages: Tensor,
        targets: Tensor,
        old_values: Tensor,
        ent_coef: float,
        count: Tensor | None = None,
        live: bool = True,
    ) -> dict[str, Tensor]:
        """Loss terms for the given sequences (exposed for tests). ``count``: the divisor of the
        means (default: the real rows among these sequences; a rank passes the job's count of
        its minibatch). ``live=False``: every row counts as padding (terms and gradients 0; a
        rank with no sequence in a minibatch still runs the backward its peers wait for)."""
        cfg = self.config
        t_idx, c_idx = buf.sequence_index(seqs)
        state = buf.sequence_start_state(seqs)
        out, _ = self.forward(
            buf.obs[t_idx, c_idx], LSTMState(*state), buf.episode_start[t_idx, c_idx]
        )
        dist = self.model.distribution(out)
        valid = buf.valid[t_idx, c_idx]
        if not live:
            valid = torch.zeros_like(valid)
        logratio = dist.log_prob(buf.actions[t_idx, c_idx]) - buf.logprobs[t_idx, c_idx]
        # Padding rows may hold anything: zero their log-ratio so exp() stays finite.
        logratio = torch.where(valid, logratio, torch.zeros_like(logratio))
        ratio = logratio.exp()
        adv = advantages[t_idx, c_idx]
        pg = torch.maximum(-adv * ratio, -adv * ratio.clamp(1 - cfg.clip_coef, 1 + cfg.clip_coef))
        value = out.value
        target = targets[t_idx, c_idx]
        v_err = (value - target) ** 2
        if cfg.value_clip_coef is not None:
            old = old_values[t_idx, c_idx]
            clipped = old + (value - old).clamp(-cfg.value_clip_coef, cfg.value_clip_coef)
            v_err = torch.maximum(v_err, (clipped - target) ** 2)
        policy_loss = masked_mean(pg, valid, count)
        value_loss = 0.5 * masked_mean(v_err, valid, count)
        entropy = masked_mean(dist.entropy(), valid, count)
        loss = policy_loss - ent_coef * entropy + cfg.vf_coef * value_loss
        with torch.no_grad():
            approx_kl = masked_mean((ratio - 1) - logratio, valid, count)
            clipfrac = masked_mean(((ratio - 1).abs() > cfg.clip_coef).float(), valid, count)
        return {
            "loss": loss,
            "policy_loss": policy_loss,
            "value_loss": value_loss,
            "entropy": entropy,
            "approx_kl": approx_kl,
            "clipfrac": clipfrac,
        }

    def _minibatch_step(
        self,
        buf: RolloutBuffer,
        seqs: Tensor,
        count: Tensor,
        advantages: Tensor,
        targets: Tensor,
        old_values: Tensor,
        ent_coef: float,
        where: str,
    ) -> dict[str, Tensor]:
        live = seqs.numel() > 0
        if not live:  # this rank holds no sequence of the minibatch: a masked stand-in
            seqs = torch.zeros(1, dtype=torch.long, device=self.device)
        terms = self.sequence_losses(
            buf, seqs, advantages, targets, old_values, ent_coef, count=count, live=live
        )
        self.optimizer.zero_grad(set_to_none=True)
        loss = terms["loss"]
        if self.comm.distributed:
            # The job's terms (each rank's are its share of the job's means) on every rank, so
            # the finiteness check and KL early stop decide alike everywhere.
            job = self.comm.sum_(torch.stack([terms[n].detach() for n in REDUCED_TERMS]))
            terms = dict(zip(REDUCED_TERMS, job, strict=True))
            loss = loss * self.comm.world_size  # DDP averages the gradients over ranks
        names = ("policy_loss", "value_loss", "entropy", "loss")
        finite = torch.stack([torch.isfinite(terms[n]) for n in names])
        if not bool(finite.all()):
            bad = next(n for n, ok in zip(names, finite.tolist(), strict=True) if not ok)
            raise NonFiniteLossError(bad, where)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(self.model.parameters(), self.config.max_grad_norm)
        if not bool(torch.isfinite(grad_norm)):
            self.optimizer.zero_grad(set_to_none=True)
            raise NonFiniteLossError("grad_norm", where)
        self.optimizer.step()
        metrics = {k: v.detach() for k, v in terms.items()}
        metrics["grad_norm"] = grad_norm.detach()
        return metrics
