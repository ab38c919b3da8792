"""``VecEnv``: a batch of Echelon worlds behind a torch-native API.

The C++ core (``echelon._core.BatchSim``) steps all worlds on a pool of worker threads and writes
observations, rewards and flags straight into tensors this class allocates once. Nothing is
allocated per step and there is no Python loop over worlds or agents.

The output tensors come from the core's table (``echelon._core.output_buffers``: name, dtype,
shape): this class allocates each once and binds it by name. A step is: check the actions, one
call into the core, and (on a GPU) copy the outputs to the device.

With ``device="cuda"`` the simulation still runs on the CPU threads. When the extension was built
with CUDA kernels (``echelon._core.has_cuda``), observations are computed on the GPU: the core
uploads the small per-mech state and this step's voxel edits, and kernels for line of sight,
terrain maps and observation assembly write straight into the obs tensor, on torch's current
stream (``env.obs_backend == "cuda"``). Without kernels, the CPU writes observations and they are
copied to the GPU (``"cpu"``). Rewards, flags and statistics are always copied from pinned host
memory, and ``final_obs`` rows only for worlds that ended. The core chooses and drives the
backend itself; this class only names it.

``obs_backend="cuda-emulated"`` (with ``device="cpu"``) runs the GPU path's whole protocol on the
host: the same state mirror, upload rules and kernel thread bodies, looped on one CPU thread. It
is slow and exists to test the GPU path, and to compare it with the CPU writer, without a GPU.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from gymnasium import spaces

from echelon import _core
from echelon.config import EnvConfig, controller_level, core_config
from echelon.env.layout import ActionLayout, ObsLayout, action_layout, layout_from_core
from echelon.env.spaces import action_space, observation_space

if TYPE_CHECKING:
    from echelon.replay import Recording, Replay

EPISODE_STAT_NAMES: tuple[str, ...] = tuple(_core.episode_stat_names)
END_REASONS: tuple[str, ...] = tuple(_core.end_reason_names)
# The output buffers ``step`` returns in ``info`` (the rest are its first four values).
_INFO_BUFFERS = ("alive", "final_obs", "episode_end", "winner", "episode_stats", "late_terminal")
OBS_BACKENDS = ("auto", "cpu", "cuda", "cuda-emulated")
_CORE_BACKENDS = {
    "cpu": _core.ObsBackend.cpu,
    "cuda": _core.ObsBackend.cuda,
    "cuda-emulated": _core.ObsBackend.cuda_emulated,
}
_TORCH_DTYPES = {"float32": torch.float32, "bool": torch.bool, "int8": torch.int8}


def _resolve_device(device: str | torch.device) -> torch.device:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}") from exc
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if dev.type == "cpu":
        return torch.device("cpu")  # "cpu:0" names the same device; tensors report plain "cpu"
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device='cuda' was requested but torch sees no CUDA device")
        if dev.index is None:
            dev = torch.device("cuda", torch.cuda.current_device())
    return dev


def _resolve_obs_backend(backend: str, device: torch.device) -> str:
    if backend not in OBS_BACKENDS:
        raise ValueError(f"obs_backend must be one of {OBS_BACKENDS}, got {backend!r}")
    if backend == "auto":
        return "cuda" if device.type == "cuda" and _core.has_cuda else "cpu"
    if backend == "cuda" and device.type != "cuda":
        raise ValueError("obs_backend='cuda' needs device='cuda'")
    if backend == "cuda" and not _core.has_cuda:
        raise ValueError(
            "obs_backend='cuda' needs an extension built with the CUDA kernels "
            "(echelon._core.has_cuda is False; reinstall with ECHELON_CUDA=ON)"
        )
    if backend == "cuda-emulated" and device.type != "cpu":
        raise ValueError("obs_backend='cuda-emulated' runs on the host: use device='cpu'")
    return backend


class VecEnv:
    """W worlds of Echelon, each with A agents (both teams), stepped together.

    Tensors are shaped ``[W, A, ...]``; blue agents are ``env.team_slices["blue"]`` (the first
    half), red the second half. ``env.obs_layout`` names the blocks of an observation row and
    ``env.action_layout`` those of an action row (``env.action_layout["triggers"].slice``,
    ``env.action_layout.index("primary")``). Returned tensors are views of buffers the next step
    overwrites: clone what you keep. Their storage cannot be resized (``resize_`` raises), and each
    call returns new views, so nothing done to a returned tensor reaches the env.

    ``step`` returns ``(obs, reward, terminated, truncated, info)`` with ``info`` holding:
      alive [W, A] bool: agents alive in the returned observation;
      final_obs [W, A, D]: last observation of worlds whose episode ended (valid where episode_end);
      episode_end [W] bool; winner [W] int8 (0 blue, 1 red, -1 draw; valid where episode_end);
      episode_stats [W, S] float32, columns ``env.episode_stat_names`` (valid where episode_end);
      late_terminal [W, A] float32: the win/loss reward of agents that died before their world's
      episode ended, to add to each one's death row (valid where episode_end; else zero);
      bad_action_entries: int, non-finite action entries replaced by 0 in this step.
    A row of a step is a real transition iff the agent was alive in the observation its action
    was chosen from (the previous step's ``info["alive"]``); other rows are zero padding.

    ``obs_backend`` picks who writes observations: ``"auto"`` (CUDA kernels on a CUDA device
    when the build has them, else the CPU writer), ``"cpu"``, ``"cuda"`` (kernels required) or
    ``"cuda-emulated"`` (the GPU path run on the host, ``device="cpu"`` only; for tests).

    ``world_offset`` k makes world w play the random streams (maps, spawns, simulation,
    heuristic) of world k + w of an env with the same seed: ``VecEnv(cfg, n, seed=s,
    world_offset=k)`` plays exactly worlds k .. k + n - 1 of ``VecEnv(cfg, N, seed=s)``. A
    distributed run gives each rank its slice this way (docs/training.md, "Several processes").
    """

    def __init__(
        self,
        config: EnvConfig | None = None,
        num_worlds: int = 1,
        device: str | torch.device = "cpu",
        seed: int = 0,
        num_threads: int | None = None,
        obs_backend: str = "auto",
        world_offset: int = 0,
    ) -> None:
        self.config = config if config is not None else EnvConfig()
        if not isinstance(self.config, EnvConfig):
            raise ValueError(f"config must be an EnvConfig, got {type(config).__name__}")
        if (
            isinstance(num_worlds, bool)
            or not isinstance(num_worlds, int)
            or not 1 <= num_worlds <= 1 << 20
        ):
            raise ValueError(f"num_worlds must be an integer in [1, 1048576], got {num_worlds!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
        if (
            isinstance(world_offset, bool)
            or not isinstance(world_offset, int)
            or not 0 <= world_offset < 2**63
        ):
            raise ValueError(f"world_offset must be an integer in [0, 2**63), got {world_offset!r}")
        if num_threads is None:
            num_threads = min(num_worlds, len(os.sched_getaffinity(0)))
        if (
            isinstance(num_threads, bool)
            or not isinstance(num_threads, int)
            or not 1 <= num_threads <= 1024
        ):
            raise ValueError(
                f"num_threads must be an integer in [1, 1024] or None, got {num_threads!r}"
            )
        self.device = _resolve_device(device)
        self.obs_backend: str = _resolve_obs_backend(obs_backend, self.device)
        self.seed = seed
        self.num_worlds = num_worlds
        self.world_offset = world_offset
        self.num_threads = num_threads
        self._sim = self._make_sim(seed)
        self.num_threads = self._sim.num_threads
        self.num_agents: int = self._sim.num_agents
        self.obs_dim: int = self._sim.obs_dim
        self.action_dim: int = self._sim.action_dim
        self.obs_layout: ObsLayout = layout_from_core(self._sim.obs_layout())
        self.action_layout: ActionLayout = action_layout(self.config.comm_dim)
        half = self.num_agents // 2
        self.team_slices = {"blue": slice(0, half), "red": slice(half, self.num_agents)}
        self.agent_ids = [f"blue_{i}" for i in range(half)] + [f"red_{i}" for i in range(half)]
        self.episode_stat_names = EPISODE_STAT_NAMES
        self.observation_space: spaces.Box = observation_space(self.obs_dim, self.obs_layout)
        self.action_space: spaces.Box = action_space(self.action_dim)
        self._bound, self._host, self._out = self._allocate_outputs()
        self._actions_host = torch.zeros(
            (num_worlds, self.num_agents, self.action_dim),
            dtype=torch.float32,
            pin_memory=self.device.type == "cuda",
        )
        self._levels: dict[str, int | None] = {}  # set_heuristic_level calls, kept on reseed
        # Host-to-device copies of the last step; the sim must not overwrite the pinned host
        # buffers before they are done.
        self._copies_done: torch.cuda.Event | None = None
        self._bind_sim()
        self._recording: Recording | None = None  # replays (docs/replay.md); None: off, free

    def _allocate_outputs(
        self,
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """Allocates every output buffer of the core's table once. Returns what the core is bound
        to (by name), the host buffers a GPU env copies from, and the tensors callers get views of.

        The core writes host buffers (pinned when the env lives on a GPU, then copied to the
        device each step); with the CUDA mirror, ``obs`` lives on the GPU and the core writes it
        there. The core keeps raw pointers to what it is bound to and writes them on every step,
        so nothing a caller does to a returned tensor may move or free that memory
        (docs/security.md):

        * every buffer a caller can reach is bound as an alias over storage that cannot be
          resized (``torch.from_dlpack`` wraps memory it does not own), so ``obs.resize_(N)``,
          even through a view, raises instead of freeing what the core writes to; the
          allocations stay referenced by the aliases;
        * every call returns fresh views of the env's tensors, never the tensors the env keeps:
          a caller's ``set_()`` or a failed ``resize_()`` (which leaves torch's sizes changed)
          only ever affects the caller's own view, and the next step's views are whole again.
        """
        on_gpu = self.device.type == "cuda"
        bound: dict[str, torch.Tensor] = {}
        host: dict[str, torch.Tensor] = {}
        out: dict[str, torch.Tensor] = {}
        for name, dtype, shape in self._sim.output_buffers():
            kind = _TORCH_DTYPES[dtype]
            if name == "obs" and self.obs_backend == "cuda":
                out[name] = bound[name] = torch.from_dlpack(
                    torch.zeros(shape, dtype=kind, device=self.device)
                )
            elif on_gpu:  # pinned host memory no caller sees; callers see the device copies
                host[name] = bound[name] = torch.zeros(shape, dtype=kind, pin_memory=True)
                out[name] = torch.zeros(shape, dtype=kind, device=self.device)
            else:
                out[name] = host[name] = bound[name] = torch.from_dlpack(
                    torch.zeros(shape, dtype=kind)
                )
        return bound, host, out

    def _bind_sim(self) -> None:
        """Points the simulator at this env's buffers, by name."""
        for name, tensor in self._bound.items():
            self._sim.bind(name, tensor)

    # ------------------------------------------------------------------ API
    def reset(self, seed: int | None = None) -> torch.Tensor:
        """Starts a new episode in every world; returns obs [W, A, D].

        ``seed`` (Gymnasium's convention) re-seeds first: the worlds are rebuilt as
        ``VecEnv(config, num_worlds, seed=seed)`` would build them (heuristic levels set with
        ``set_heuristic_level`` are kept), so the same seed gives the same episodes."""
        self._wait_for_copies()
        if seed is not None:
            self._reseed(seed)
        self._sim.reset(self._stream())
        if self._recording is not None and self._recording.active:
            self._recording.collect()
        self._to_device(all_final=True)
        return self._out["obs"].detach()

    def step(
        self, actions: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, dict[str, Any]]:
        host_actions = self._check_actions(actions)
        self._wait_for_copies()
        bad_entries = self._sim.step(host_actions, self._stream())
        if self._recording is not None and self._recording.active:
            self._recording.collect()
        self._to_device()
        out = {name: t.detach() for name, t in self._out.items()}  # fresh views: _allocate_outputs
        info: dict[str, Any] = {name: out[name] for name in _INFO_BUFFERS}
        info["bad_action_entries"] = bad_entries
        return out["obs"], out["reward"], out["terminated"], out["truncated"], info

    def _reseed(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
        self._sim = self._make_sim(seed)
        self.seed = seed
        self._bind_sim()
        if self._recording is not None:
            self._recording.rebind(self._sim)
        for team, level in self._levels.items():
            self.set_heuristic_level(team, level)

    def set_heuristic_level(self, team: str, level: int | None) -> None:
        """Curriculum hook: the core heuristic drives ``team`` ("blue"/"red") at ``level`` (0..4;
        None = external) from each world's next episode on, without rebuilding the env."""
        if team not in self.team_slices:
            raise ValueError(f"team must be 'blue' or 'red', got {team!r}")
        value = "external" if level is None else f"heuristic:{level}"
        if isinstance(level, bool) or not (level is None or isinstance(level, int)):
            raise ValueError(f"level must be an int in [0, 4] or None, got {level!r}")
        code = controller_level("level", value)
        self._sim.set_heuristic_level(0 if team == "blue" else 1, code)
        self._levels[team] = level

    def state_dict(self) -> dict[str, Any]:
        """Snapshot of the whole simulator (every world mid-episode, RNG streams, heuristic minds):
        ``{"sim_state": uint8 tensor, "config": dict, "seed", "num_worlds", "obs_dim",
        "world_offset"}``.

        ``load_state_dict`` on an env built with the same config and world count continues
        bit-identically: the same actions give the same observations, rewards and flags."""
        blob = self._sim.save_state()
        return {
            "sim_state": torch.frombuffer(bytearray(blob), dtype=torch.uint8),
            "config": self.config.to_dict(),
            "seed": self.seed,
            "num_worlds": self.num_worlds,
            "obs_dim": self.obs_dim,
            "world_offset": self.world_offset,
        }

    def load_state_dict(self, state: dict[str, Any]) -> torch.Tensor:
        """Restores a ``state_dict`` snapshot (strict: config, world count and obs width must
        match, else ValueError naming the field) and returns the current obs [W, A, D]. The env
        adopts the snapshot's seed, so later episodes follow the saved run's streams."""
        # Everything is checked before anything changes: a bad state leaves the env as it was.
        self._check_snapshot_fits(state)
        blob = state["sim_state"]
        if not isinstance(blob, torch.Tensor) or blob.dtype != torch.uint8 or blob.dim() != 1:
            raise ValueError("state['sim_state'] must be a 1-D torch.uint8 tensor")
        seed = state["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise ValueError(f"env state seed must be an integer in [0, 2**63), got {seed!r}")
        self._wait_for_copies()
        try:
            self._sim.load_state(blob.detach().cpu().contiguous().numpy().tobytes(), self._stream())
        except ValueError as exc:
            raise ValueError(f"cannot restore the simulator snapshot: {exc}") from exc
        self.seed = seed
        self._to_device(all_final=True)
        return self._out["obs"].detach()

    def _check_snapshot_fits(self, state: dict[str, Any]) -> None:
        missing = {"sim_state", "config", "seed", "num_worlds", "obs_dim"} - set(state)
        if missing:
            raise ValueError(f"env state dict lacks {sorted(missing)}")
        if state["num_worlds"] != self.num_worlds:
            raise ValueError(
                f"env state has num_worlds={state['num_worlds']}, this env has {self.num_worlds}"
            )
        if state["obs_dim"] != self.obs_dim:
            raise ValueError(
                f"env state has obs_dim={state['obs_dim']}, this env has {self.obs_dim}"
            )
        # Snapshots from before world offsets existed were all at offset 0. The offset is not in
        # the simulator blob: it decides the streams of the episodes after the saved ones.
        offset = state.get("world_offset", 0)
        if offset != self.world_offset:
            raise ValueError(
                f"env state has world_offset={offset}, this env has {self.world_offset}"
            )
        mine = self.config.to_dict()
        if not isinstance(state["config"], dict):
            raise ValueError(f"env state config must be a dict, got {type(state['config'])}")
        theirs = dict(state["config"])
        diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        if diff:
            details = ", ".join(f"{k}: saved {theirs.get(k)!r} vs {mine.get(k)!r}" for k in diff)
            raise ValueError(f"env state was saved with another config ({details})")

    # ------------------------------------------------------------- replays
    def record(
        self,
        worlds: Iterable[int] | int = 0,
        episodes: int | None = 1,
        directory: str | Path | None = None,
        name: str = "w{world:03d}_ep{episode:05d}",
        max_replays: int | None = None,
    ) -> None:
        """Records replays of ``worlds`` (docs/replay.md): each world's next ``episodes``
        episodes (None: until ``stop_recording``), starting at its next episode start (the next
        ``reset()`` or auto-reset). Finished replays are written to ``directory`` as
        ``name.format(world=, episode=, index=, winner=, **meta) + ".echrep"`` (never
        overwriting; see ``replay_files``), or kept for ``take_replays()`` when no directory is
        given. ``max_replays`` caps the total, after which recording stops. Worlds not recorded
        cost nothing; recorded ones cost a copy of their state per step (``echelon bench
        replay``)."""
        from echelon.replay import Recording

        if self._recording is None:
            self._recording = Recording(self._sim, self.config)
        chosen = [worlds] if isinstance(worlds, int) else list(worlds)
        self._recording.start(chosen, episodes, directory, name, max_replays)

    def take_replays(self) -> list[Replay]:
        """Finished replays kept in memory (recording without a directory), oldest first."""
        return [] if self._recording is None else self._recording.take()

    def stop_recording(
        self, worlds: Iterable[int] | None = None, keep_partial: bool = True
    ) -> list[Replay]:
        """Stops recording ``worlds`` (default: all). Episodes in progress become incomplete
        replays (``replay.complete`` is False), written or kept like the others, unless
        ``keep_partial`` is False. Returns the replays kept in memory."""
        if self._recording is None:
            return []
        self._recording.stop(worlds, keep_partial)
        return self._recording.take()

    @property
    def recording(self) -> bool:
        """True while some world is being recorded."""
        return self._recording is not None and self._recording.active

    def set_replay_meta(self, world: int, meta: Mapping[str, Any]) -> None:
        """JSON metadata stored in the replay of ``world``'s episode in progress (and later
        ones, until changed), e.g. the players' ids; it can also fill the file name template."""
        if self._recording is None:
            raise RuntimeError("set_replay_meta needs a recording: call env.record(...) first")
        self._recording.set_meta(world, meta)

    @property
    def replay_files(self) -> list[Path]:
        """Replay files written by this env's recording so far."""
        return [] if self._recording is None else list(self._recording.files)

    @property
    def sim(self) -> Any:
        """The C++ ``BatchSim``: state views and world editing for tests and tools."""
        return self._sim

    def close(self) -> None:
        """Releases the simulator and its buffers."""
        self._sim = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"VecEnv(worlds={self.num_worlds}, agents={self.num_agents}, obs_dim={self.obs_dim}, "
            f"action_dim={self.action_dim}, device={self.device}, threads={self.num_threads})"
        )

    # ------------------------------------------------------------- internals
    def _check_actions(self, actions: torch.Tensor) -> torch.Tensor:
        expected = (self.num_worlds, self.num_agents, self.action_dim)
        if not isinstance(actions, torch.Tensor):
            raise ValueError(
                f"actions must be a torch.Tensor of shape {expected}, got {type(actions).__name__}"
            )
        if tuple(actions.shape) != expected:
            raise ValueError(
                f"actions must have shape {expected} (worlds, agents, action_dim), "
                f"got {tuple(actions.shape)}"
            )
        if actions.dtype != torch.float32:
            raise ValueError(f"actions must have dtype torch.float32, got {actions.dtype}")
        if actions.device != self.device:
            raise ValueError(f"actions must be on device {self.device}, got {actions.device}")
        if actions.device.type == "cpu" and actions.is_contiguous():
            # The core sanitises into its own scratch: the caller's tensor is never written.
            return actions.detach()
        self._actions_host.copy_(actions.detach())
        return self._actions_host

    def _make_sim(self, seed: int) -> Any:
        return _core.BatchSim(
            core_config(self.config),
            self.num_worlds,
            seed,
            self.num_threads,
            _CORE_BACKENDS[self.obs_backend],
            self.device.index or 0,
            self.world_offset,
        )

    def _stream(self) -> int:
        """The CUDA stream the core's GPU mirror works on: torch's current one."""
        if self.obs_backend != "cuda":
            return 0
        return int(torch.cuda.current_stream(self.device).cuda_stream)

    def _wait_for_copies(self) -> None:
        if self._copies_done is not None:
            self._copies_done.synchronize()
            self._copies_done = None

    def _to_device(self, all_final: bool = False) -> None:
        """On a GPU env: the host outputs to the device tensors (``final_obs`` rows only for
        worlds that ended, unless ``all_final``), on torch's current stream."""
        if self.device.type == "cpu":
            return
        for k, t in self._host.items():
            if k != "final_obs":
                self._out[k].copy_(t, non_blocking=True)
        if all_final:
            self._out["final_obs"].copy_(self._host["final_obs"], non_blocking=True)
        else:
            ended = self._host["episode_end"].nonzero().flatten()
            if ended.numel() > 0:
                rows = self._host["final_obs"].index_select(0, ended)
                self._out["final_obs"].index_copy_(
                    0, ended.to(self.device), rows.to(self.device, non_blocking=True)
                )
        self._copies_done = torch.cuda.Event()
        self._copies_done.record(torch.cuda.current_stream(self.device))

    def gpu_timings(self) -> dict[str, float]:
        """Timings (ms) of the last step's observation-mirror phases: upload, terrain, los,
        assemble (CUDA events on a GPU; host clock times with ``obs_backend="cuda-emulated"``),
        and host_ms, the calling thread's own time in the mirror (less an emulated device's
        copies and kernels): the serial host cost of a GPU step."""
        if self.obs_backend == "cpu":
            raise RuntimeError(
                "no observation mirror in this env (obs_backend is 'cpu': device='cpu', "
                "or an extension without CUDA kernels)"
            )
        return dict(self._sim.mirror_timings())
