"""Echelon simulator core (C++), bound with nanobind"""

from collections.abc import Sequence
import enum
from typing import Annotated

from typing import Any, TypeAlias

import numpy


Buffer: TypeAlias = Any  # any DLPack array: numpy, torch CPU or CUDA

has_cuda: bool = True

class MapType(enum.Enum):
    simple = 0

    empty = 1

    procedural = 2

class RewardWeights:
    def __init__(self) -> None: ...

    @property
    def zone_tick(self) -> float: ...

    @zone_tick.setter
    def zone_tick(self, arg: float, /) -> None: ...

    @property
    def approach(self) -> float: ...

    @approach.setter
    def approach(self, arg: float, /) -> None: ...

    @property
    def gamma(self) -> float: ...

    @gamma.setter
    def gamma(self, arg: float, /) -> None: ...

    @property
    def damage(self) -> float: ...

    @damage.setter
    def damage(self, value: float) -> None: ...

    @property
    def kill(self) -> float: ...

    @kill.setter
    def kill(self, value: float) -> None: ...

    @property
    def assist(self) -> float: ...

    @assist.setter
    def assist(self, value: float) -> None: ...

    @property
    def death(self) -> float: ...

    @death.setter
    def death(self, value: float) -> None: ...

    @property
    def friendly_damage(self) -> float: ...

    @friendly_damage.setter
    def friendly_damage(self, value: float) -> None: ...

    @property
    def team_kill(self) -> float: ...

    @team_kill.setter
    def team_kill(self, value: float) -> None: ...

    @property
    def contested_mult(self) -> float: ...

    @contested_mult.setter
    def contested_mult(self, value: float) -> None: ...

    @property
    def contested_death_mult(self) -> float: ...

    @contested_death_mult.setter
    def contested_death_mult(self, value: float) -> None: ...

    @property
    def team_mix(self) -> float: ...

    @team_mix.setter
    def team_mix(self, value: float) -> None: ...

    @property
    def win(self) -> float: ...

    @win.setter
    def win(self, value: float) -> None: ...

    @property
    def loss(self) -> float: ...

    @loss.setter
    def loss(self, value: float) -> None: ...

class ObsConfig:
    def __init__(self) -> None: ...

    @property
    def contact_slots(self) -> int: ...

    @contact_slots.setter
    def contact_slots(self, arg: int, /) -> None: ...

    @property
    def full_observation(self) -> bool: ...

    @full_observation.setter
    def full_observation(self, arg: bool, /) -> None: ...

class SimConfig:
    def __init__(self) -> None: ...

    @property
    def size_x(self) -> int: ...

    @size_x.setter
    def size_x(self, arg: int, /) -> None: ...

    @property
    def size_y(self) -> int: ...

    @size_y.setter
    def size_y(self, arg: int, /) -> None: ...

    @property
    def size_z(self) -> int: ...

    @size_z.setter
    def size_z(self, arg: int, /) -> None: ...

    @property
    def packs_per_team(self) -> int: ...

    @packs_per_team.setter
    def packs_per_team(self, arg: int, /) -> None: ...

    @property
    def dt(self) -> float: ...

    @dt.setter
    def dt(self, arg: float, /) -> None: ...

    @property
    def decision_repeat(self) -> int: ...

    @decision_repeat.setter
    def decision_repeat(self, arg: int, /) -> None: ...

    @property
    def max_episode_seconds(self) -> float: ...

    @max_episode_seconds.setter
    def max_episode_seconds(self, arg: float, /) -> None: ...

    @property
    def comm_dim(self) -> int: ...

    @comm_dim.setter
    def comm_dim(self, arg: int, /) -> None: ...

    @property
    def map_type(self) -> MapType: ...

    @map_type.setter
    def map_type(self, arg: MapType, /) -> None: ...

    @property
    def obstacle_density(self) -> float: ...

    @obstacle_density.setter
    def obstacle_density(self, arg: float, /) -> None: ...

    @property
    def gravity(self) -> float: ...

    @gravity.setter
    def gravity(self, arg: float, /) -> None: ...

    @property
    def rewards(self) -> RewardWeights: ...

    @rewards.setter
    def rewards(self, arg: RewardWeights, /) -> None: ...

    @property
    def obs(self) -> ObsConfig: ...

    @obs.setter
    def obs(self, arg: ObsConfig, /) -> None: ...

    @property
    def num_agents(self) -> int: ...

    @property
    def action_dim(self) -> int: ...

    @property
    def max_steps(self) -> int: ...

    @property
    def zone_score_to_win(self) -> float: ...

    @property
    def combat(self) -> CombatConfig: ...

    @combat.setter
    def combat(self, value: CombatConfig) -> None: ...

    @property
    def heuristic_blue(self) -> int: ...

    @heuristic_blue.setter
    def heuristic_blue(self, value: int) -> None: ...

    @property
    def heuristic_red(self) -> int: ...

    @heuristic_red.setter
    def heuristic_red(self, value: int) -> None: ...

    @property
    def heuristic_omniscient(self) -> bool: ...

    @heuristic_omniscient.setter
    def heuristic_omniscient(self, value: bool) -> None: ...

episode_stat_names: list = ...

class BatchSim:
    def __init__(
        self,
        config: SimConfig,
        num_worlds: int,
        seed: int,
        num_threads: int,
        world_offset: int = 0,
    ) -> None: ...

    @property
    def num_worlds(self) -> int: ...

    @property
    def world_offset(self) -> int: ...

    @property
    def num_agents(self) -> int: ...

    @property
    def obs_dim(self) -> int: ...

    @property
    def action_dim(self) -> int: ...

    @property
    def num_threads(self) -> int: ...

    def obs_layout(self) -> list[tuple[str, int, list[int]]]: ...

    def bind(self, obs: Buffer, final_obs: Buffer, reward: Buffer, terminated: Buffer, truncated: Buffer, alive: Buffer, episode_end: Buffer, winner: Buffer, episode_stats: Buffer) -> None: ...

    def reset(self) -> None: ...

    def step(self, actions: Buffer) -> None: ...

    def bad_action_total(self) -> int: ...

    def set_cpu_observation(self, on: bool) -> None: ...

    def contact_slots(self, world: int) -> Buffer:
        """
        Agent index shown in each of the first five contact slots of every agent's last observation (-1: empty).
        """

    def refresh_observation(self, arg: int, /) -> None: ...

    def mech_pos(self) -> Buffer: ...

    def mech_vel(self) -> Buffer: ...

    def mech_yaw(self) -> Buffer: ...

    def mech_hp(self) -> Buffer: ...

    def mech_leg_hp(self) -> Buffer: ...

    def mech_heat(self) -> Buffer: ...

    def mech_stability(self) -> Buffer: ...

    def mech_fallen_ticks(self) -> Buffer: ...

    def mech_alive(self) -> Buffer: ...

    def mech_class(self) -> Buffer: ...

    def mech_team(self) -> Buffer: ...

    def voxels(self, world: int) -> Buffer:
        """
        Read-only view of world w's materials [Z, Y, X]. Edit with set_voxels/set_voxel.
        """

    def voxel_hp(self, world: int) -> Buffer: ...

    def set_voxels(self, world: int, voxels: Buffer) -> None: ...

    def set_voxel(self, world: int, x: int, y: int, z: int, material: int) -> None: ...

    def damage_voxel(self, world: int, x: int, y: int, z: int, amount: float) -> bool: ...

    def changed_voxels(self, world: int) -> list[int]: ...

    def full_rebuild(self, arg: int, /) -> bool: ...

    def clear_voxel_changes(self, arg: int, /) -> None: ...

    def zone(self, world: int) -> tuple[float, float, float]: ...

    def set_zone(self, world: int, cx: float, cy: float, radius: float) -> None: ...

    def spawn_corners(self, world: int) -> tuple[int, int, int]: ...

    def zone_scores(self, world: int) -> tuple[float, float]: ...

    def episode_index(self, world: int) -> int: ...

    def step_count(self, world: int) -> int: ...

    def mech_state(self, name: str) -> object:
        """
        Numpy view [W, A] of a combat field: cd_laser, cd_missile, cd_kinetic, cd_painter, paint_ticks, painter, suppress_ticks, ams_ticks, focus, fallen_ticks (int32); ecm, eccm, was_hit, sort_mode, hostile_only, alive (uint8); last_damage_dir [W, A, 3].
        """

    def events(self, world: int) -> list:
        """Events of world w's last decision step (dicts)."""

    def projectiles(self, world: int) -> list:
        """Projectiles in flight in world w."""

    def smoke_clouds(self, world: int) -> list:
        """Live smoke clouds of world w: (x, y, z, radius, ticks_left)."""

    def add_smoke(self, world: int, x: float, y: float, z: float, radius: float, ticks: int) -> bool: ...

    def set_contact_slots(self, world: int, agent: int, ids: Sequence[int]) -> None:
        """
        Agent ids shown in the 5 contact slots of an agent's last observation (target selection reads them).
        """

    def comm_messages(self, world: int) -> Buffer:
        """Last comm message of each agent of world w, [A, comm_dim]."""

    def late_terminal_rewards(self, world: int) -> list[float]:
        """
        Terminal win/loss reward of agents that died before world w's episode ended in the last step (add it to each one's death row); zeros otherwise.
        """

    def sensor_quality(self, world: int, agent: int) -> tuple:
        """(quality, jam, eccm) of an agent: the one sensor model (SPEC §1.9)."""

    def dropped_events(self, world: int) -> int: ...

    def set_heuristic_level(self, team: int, level: int) -> None:
        """
        Heuristic level of team 0 (blue) or 1 (red) from each world's next episode on; -1 = external.
        """

    def heuristic_level(self, team: int) -> int:
        """Level that new episodes get (-1 = external)."""

    def heuristic_episode_levels(self, world: int) -> tuple:
        """
        (blue, red) levels of world w's current episode, as the heuristic runs them.
        """

    def heuristic_minds(self, world: int) -> list:
        """
        Per agent of world w: target, has_path, path (waypoints), next_waypoint, replans, unsticks, unstick_left, cover_seconds (empty defaults for external teams).
        """

    def heuristic_knowledge(self, world: int, team: int) -> list:
        """
        Per agent: (seen this decision, seconds since last seen) in team's knowledge (1e9: never).
        """

    def last_actions(self, world: int) -> Buffer:
        """
        The action rows world w's last step used [A, action_dim]: sanitised caller rows and heuristic rows (read-only view).
        """

    def save_state(self) -> bytes:
        """Snapshot of the whole simulator state (versioned, checksummed bytes)."""

    def load_state(self, blob: bytes) -> None:
        """
        Restores a save_state() snapshot of a sim with the same shape; re-writes the observation rows and alive flags. Raises ValueError on a corrupt, truncated or mismatching blob (the sim is then unchanged).
        """

def raycast(voxels: Buffer, start: tuple[float, float, float], end: tuple[float, float, float], include_end: bool = False) -> tuple:
    """
    One DDA ray through a [Z, Y, X] material grid: (blocked, (x, y, z) or None).
    """

def raycast_batch(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', writable=False)], starts: Annotated[Buffer, dict(shape=(None, None), order='C', writable=False)], ends: Annotated[Buffer, dict(shape=(None, None), order='C', writable=False)], include_end: bool, blocked: Annotated[Buffer, dict(shape=(None,), order='C')], hit: Annotated[Buffer, dict(shape=(None, None), order='C')], stream: int = 0) -> None:
    """
    Batched rays on CPU arrays or (CUDA builds) CUDA tensors; writes blocked [N] and hit [N, 3].
    """

def segment_hits_sphere(p1: tuple[float, float, float], p2: tuple[float, float, float], centre: tuple[float, float, float], radius: float) -> bool: ...

def material_table() -> list:
    """(id, hp, collides, blocks_los) for each material id."""

class CombatConfig:
    def __init__(self) -> None: ...

    @property
    def enable_target_selection(self) -> bool: ...

    @enable_target_selection.setter
    def enable_target_selection(self, arg: bool, /) -> None: ...

    @property
    def enable_ewar(self) -> bool: ...

    @enable_ewar.setter
    def enable_ewar(self, arg: bool, /) -> None: ...

    @property
    def enable_obs_control(self) -> bool: ...

    @enable_obs_control.setter
    def enable_obs_control(self, arg: bool, /) -> None: ...

    @property
    def enable_comm(self) -> bool: ...

    @enable_comm.setter
    def enable_comm(self, arg: bool, /) -> None: ...

    @property
    def friendly_splash(self) -> bool: ...

    @friendly_splash.setter
    def friendly_splash(self, arg: bool, /) -> None: ...

    @property
    def ams_intercept_prob(self) -> float: ...

    @ams_intercept_prob.setter
    def ams_intercept_prob(self, arg: float, /) -> None: ...

    @property
    def ams_range(self) -> float: ...

    @ams_range.setter
    def ams_range(self, arg: float, /) -> None: ...

    @property
    def ams_cooldown_s(self) -> float: ...

    @ams_cooldown_s.setter
    def ams_cooldown_s(self, arg: float, /) -> None: ...

    @property
    def paint_seconds(self) -> float: ...

    @paint_seconds.setter
    def paint_seconds(self, arg: float, /) -> None: ...

    @property
    def paint_bonus(self) -> float: ...

    @paint_bonus.setter
    def paint_bonus(self, arg: float, /) -> None: ...

    @property
    def rear_mult(self) -> float: ...

    @rear_mult.setter
    def rear_mult(self, arg: float, /) -> None: ...

    @property
    def leg_hit_chance(self) -> float: ...

    @leg_hit_chance.setter
    def leg_hit_chance(self, arg: float, /) -> None: ...

    @property
    def knockdown_seconds(self) -> float: ...

    @knockdown_seconds.setter
    def knockdown_seconds(self, arg: float, /) -> None: ...

    @property
    def suppress_seconds(self) -> float: ...

    @suppress_seconds.setter
    def suppress_seconds(self, arg: float, /) -> None: ...

    @property
    def smoke_cloud_seconds(self) -> float: ...

    @smoke_cloud_seconds.setter
    def smoke_cloud_seconds(self, arg: float, /) -> None: ...

    @property
    def smoke_cloud_radius(self) -> float: ...

    @smoke_cloud_radius.setter
    def smoke_cloud_radius(self, arg: float, /) -> None: ...

event_type_names: list = ...

weapon_names: list = ...

def wreck_roll(agent: int, cls: int, x0: int, y0: int, z0: int, x1: int, y1: int, z1: int) -> float: ...

def generate_terrain(size: tuple[int, int, int], seed: int, packs_per_team: int = 1) -> dict:
    """
    Generates one procedural map: a dict with voxels [Z,Y,X], voxel_hp, content_hash, recipe_json and metadata.
    """

def procedural_map_seed(seed: int, world: int, episode: int) -> int:
    """The procedural map seed BatchSim(seed) uses for (world, episode)."""

def biome_names() -> list[str]: ...

def transform_map(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], transform: int, split: tuple[int, int], biomes: Sequence[int]) -> tuple:
    """
    Applies a flip (0 identity, 1 x, 2 y, 3 both) to voxels and layout: (voxels, hp, split, biomes).
    """

def check_connectivity(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], spawn_corners: tuple[int, int], spawn_clear: int, zone: tuple[float, float, float]) -> list[tuple[bool, bool]]:
    """
    Per class (scout, light, medium, heavy): (blue reaches zone, red reaches zone).
    """

def ensure_connectivity(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], spawn_corners: tuple[int, int], spawn_clear: int, zone: tuple[float, float, float]) -> tuple:
    """
    Runs the validator with fix-ups on a copy: (voxels, voxel_hp, ok, fixups).
    """

def content_hash(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)]) -> str: ...

class NavGraph:
    def __init__(self, voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], width: float, height: float) -> None:
        """Nav graph for a box of this width and height over voxels [Z,Y,X]."""

    @staticmethod
    def for_class(voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], cls: int) -> NavGraph: ...

    @property
    def shape(self) -> tuple: ...

    @property
    def node_count(self) -> int: ...

    @property
    def id_space(self) -> int: ...

    def nodes(self) -> Buffer:
        """[N, 4] int32 rows (id, block x, block y, floor)."""

    def edges(self) -> tuple:
        """All directed edges as (src, dst, cost) arrays."""

    def neighbours(self, node: int) -> list[tuple[int, float]]: ...

    def node_at(self, bx: int, by: int, floor: int) -> int:
        """Node id at block (bx, by) and floor, or -1."""

    def position(self, node: int) -> tuple:
        """Feet position (block centre, floor) of a node."""

    def nearest(self, x: float, y: float, z: float, radius: int = 8) -> int:
        """Nearest node to a feet position, or -1."""

    def heuristic(self, arg0: int, arg1: int, /) -> float: ...

    def find_path(self, start: int, goal: int) -> dict:
        """A* path: dict(found, cost, expanded, nodes, waypoints)."""

    def all_costs(self, start: int) -> Buffer:
        """Dijkstra cost to every node id (inf where unreachable)."""

    def reachable(self, start: int) -> Buffer: ...

    def patch(self, voxels: Annotated[Buffer, dict(shape=(None, None, None), order='C', device='cpu', writable=False)], box: tuple[int, int, int, int]) -> None:
        """
        Replaces the voxels and re-derives only what changes inside box (x0, y0, x1, y1).
        """

heuristic_max_level: int = 4

class EmulatedGpuObservation:
    """
    The CUDA observation mirror's protocol and kernels run on the host (slow; for tests without a GPU).
    """

    def __init__(self, sim: BatchSim, device: int) -> None: ...

    def upload(self, stream: int) -> None: ...

    def compute(self, out: Buffer, stream: int) -> None: ...

    def finish(self, stream: int) -> None: ...

    def mark_all_dirty(self) -> None: ...

    @property
    def device_bytes(self) -> int: ...

    @property
    def last_whole_grids(self) -> int:
        """Worlds whose whole voxel grid went up at the last upload."""

    @property
    def last_edits(self) -> int:
        """Voxel edits sent at the last upload."""

    def last_timings(self) -> dict: ...

class GpuObservation:
    """
    Observation kernels on the GPU for a BatchSim (keep the BatchSim alive).
    """

    def __init__(self, sim: BatchSim, device: int) -> None: ...

    def upload(self, stream: int) -> None: ...

    def compute(self, out: Buffer, stream: int) -> None: ...

    def finish(self, stream: int) -> None: ...

    def mark_all_dirty(self) -> None: ...

    @property
    def device_bytes(self) -> int: ...

    @property
    def last_whole_grids(self) -> int:
        """Worlds whose whole voxel grid went up at the last upload."""

    @property
    def last_edits(self) -> int:
        """Voxel edits sent at the last upload."""

    def last_timings(self) -> dict: ...

snapshot_format_version: int = 1
