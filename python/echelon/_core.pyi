"""Echelon simulator core (C++), bound with nanobind"""

from collections.abc import Sequence
import enum
from typing import Annotated

from typing import Any, TypeAlias

import numpy


class MapType(enum.Enum):
    simple = 0

    empty = 1

    procedural = 2

class RewardWeights:
    """Reward weights (echelon.config.RewardConfig)."""

    def __init__(self) -> None: ...

    @property
    def zone_tick(self) -> float:
        """per decision, agents in the zone: weight x own team's tick"""

    @zone_tick.setter
    def zone_tick(self, arg: float, /) -> None: ...

    @property
    def approach(self) -> float:
        """potential-based shaping toward the zone edge"""

    @approach.setter
    def approach(self, arg: float, /) -> None: ...

    @property
    def gamma(self) -> float:
        """discount used by the shaping potential (match the learner's)"""

    @gamma.setter
    def gamma(self, arg: float, /) -> None: ...

    @property
    def damage(self) -> float:
        """per point of enemy damage dealt (capped at the victim's HP)"""

    @damage.setter
    def damage(self, arg: float, /) -> None: ...

    @property
    def kill(self) -> float:
        """per enemy kill"""

    @kill.setter
    def kill(self, arg: float, /) -> None: ...

    @property
    def assist(self) -> float:
        """once per kill of a target the agent painted (killer in its pack)"""

    @assist.setter
    def assist(self, arg: float, /) -> None: ...

    @property
    def death(self) -> float:
        """once, in the step the agent dies"""

    @death.setter
    def death(self, arg: float, /) -> None: ...

    @property
    def friendly_damage(self) -> float:
        """per point of damage dealt to the own team, self included"""

    @friendly_damage.setter
    def friendly_damage(self, arg: float, /) -> None: ...

    @property
    def team_kill(self) -> float:
        """per teammate killed (self included)"""

    @team_kill.setter
    def team_kill(self, arg: float, /) -> None: ...

    @property
    def contested_mult(self) -> float:
        """
        damage/kill/assist x this when the agent started the step in a contested zone
        """

    @contested_mult.setter
    def contested_mult(self, arg: float, /) -> None: ...

    @property
    def contested_death_mult(self) -> float:
        """death x this when the agent started the step in a contested zone"""

    @contested_death_mult.setter
    def contested_death_mult(self, arg: float, /) -> None: ...

    @property
    def team_mix(self) -> float:
        """alpha: alpha x own reward + (1 - alpha) x team mean"""

    @team_mix.setter
    def team_mix(self, arg: float, /) -> None: ...

    @property
    def win(self) -> float:
        """terminal reward for every agent of the winning team"""

    @win.setter
    def win(self, arg: float, /) -> None: ...

    @property
    def loss(self) -> float:
        """terminal reward for every agent of the losing team"""

    @loss.setter
    def loss(self, arg: float, /) -> None: ...

class CombatConfig:
    """Tunable combat rules (echelon.config.CombatConfig)."""

    def __init__(self) -> None: ...

    @property
    def enable_target_selection(self) -> bool:
        """off: focus target always cleared"""

    @enable_target_selection.setter
    def enable_target_selection(self, arg: bool, /) -> None: ...

    @property
    def enable_ewar(self) -> bool:
        """off: ECM/ECCM forced off"""

    @enable_ewar.setter
    def enable_ewar(self, arg: bool, /) -> None: ...

    @property
    def enable_obs_control(self) -> bool:
        """off: sort mode 'closest', hostile filter off"""

    @enable_obs_control.setter
    def enable_obs_control(self, arg: bool, /) -> None: ...

    @property
    def enable_comm(self) -> bool:
        """off: comm messages stored as zeros"""

    @enable_comm.setter
    def enable_comm(self, arg: bool, /) -> None: ...

    @property
    def friendly_splash(self) -> bool:
        """splash hurts the shooter's team (never rewarded)"""

    @friendly_splash.setter
    def friendly_splash(self, arg: bool, /) -> None: ...

    @property
    def ams_intercept_prob(self) -> float:
        """one roll per missile per defender, then the defender cools down"""

    @ams_intercept_prob.setter
    def ams_intercept_prob(self, arg: float, /) -> None: ...

    @property
    def ams_range(self) -> float:
        """AMS reach (voxels)"""

    @ams_range.setter
    def ams_range(self, arg: float, /) -> None: ...

    @property
    def ams_cooldown_s(self) -> float:
        """AMS cooldown after any roll"""

    @ams_cooldown_s.setter
    def ams_cooldown_s(self, arg: float, /) -> None: ...

    @property
    def paint_seconds(self) -> float:
        """how long a paint mark lasts"""

    @paint_seconds.setter
    def paint_seconds(self, arg: float, /) -> None: ...

    @property
    def paint_bonus(self) -> float:
        """direct-hit damage x this for the painter's pack"""

    @paint_bonus.setter
    def paint_bonus(self, arg: float, /) -> None: ...

    @property
    def rear_mult(self) -> float:
        """hits from within +-45 deg of dead astern"""

    @rear_mult.setter
    def rear_mult(self, arg: float, /) -> None: ...

    @property
    def leg_hit_chance(self) -> float:
        """hitscan; projectiles hit legs geometrically (lowest 30%)"""

    @leg_hit_chance.setter
    def leg_hit_chance(self, arg: float, /) -> None: ...

    @property
    def knockdown_seconds(self) -> float:
        """time on the ground after stability runs out"""

    @knockdown_seconds.setter
    def knockdown_seconds(self, arg: float, /) -> None: ...

    @property
    def suppress_seconds(self) -> float:
        """autocannon suppression"""

    @suppress_seconds.setter
    def suppress_seconds(self, arg: float, /) -> None: ...

    @property
    def smoke_cloud_seconds(self) -> float:
        """smoke cloud lifetime"""

    @smoke_cloud_seconds.setter
    def smoke_cloud_seconds(self, arg: float, /) -> None: ...

    @property
    def smoke_cloud_radius(self) -> float:
        """smoke cloud radius (voxels)"""

    @smoke_cloud_radius.setter
    def smoke_cloud_radius(self, arg: float, /) -> None: ...

class ObsConfig:
    """Observation options."""

    def __init__(self) -> None: ...

    @property
    def contact_slots(self) -> int:
        """K contact rows in the observation"""

    @contact_slots.setter
    def contact_slots(self, arg: int, /) -> None: ...

    @property
    def full_observation(self) -> bool:
        """false: partial sensing (radar x quality, paint, signatures, LOS)"""

    @full_observation.setter
    def full_observation(self, arg: bool, /) -> None: ...

class SimConfig:
    """Everything that defines a batch (echelon.config.EnvConfig)."""

    def __init__(self) -> None: ...

    @property
    def size_x(self) -> int:
        """map size in voxels"""

    @size_x.setter
    def size_x(self, arg: int, /) -> None: ...

    @property
    def size_y(self) -> int:
        """map size in voxels"""

    @size_y.setter
    def size_y(self, arg: int, /) -> None: ...

    @property
    def size_z(self) -> int:
        """map height in voxels"""

    @size_z.setter
    def size_z(self, arg: int, /) -> None: ...

    @property
    def packs_per_team(self) -> int:
        """packs of five mechs per team"""

    @packs_per_team.setter
    def packs_per_team(self, arg: int, /) -> None: ...

    @property
    def dt(self) -> float:
        """physics substep (seconds)"""

    @dt.setter
    def dt(self, arg: float, /) -> None: ...

    @property
    def decision_repeat(self) -> int:
        """substeps per decision"""

    @decision_repeat.setter
    def decision_repeat(self, arg: int, /) -> None: ...

    @property
    def max_episode_seconds(self) -> float:
        """episode time limit"""

    @max_episode_seconds.setter
    def max_episode_seconds(self, arg: float, /) -> None: ...

    @property
    def comm_dim(self) -> int:
        """pack message floats in the action and observation"""

    @comm_dim.setter
    def comm_dim(self, arg: int, /) -> None: ...

    @property
    def map_type(self) -> MapType:
        """procedural (biome generator), simple or empty"""

    @map_type.setter
    def map_type(self, arg: MapType, /) -> None: ...

    @property
    def obstacle_density(self) -> float:
        """simple maps: share of the ground under obstacles"""

    @obstacle_density.setter
    def obstacle_density(self, arg: float, /) -> None: ...

    @property
    def gravity(self) -> float:
        """voxels per second squared"""

    @gravity.setter
    def gravity(self, arg: float, /) -> None: ...

    @property
    def rewards(self) -> RewardWeights: ...

    @rewards.setter
    def rewards(self, arg: RewardWeights, /) -> None: ...

    @property
    def combat(self) -> CombatConfig: ...

    @combat.setter
    def combat(self, arg: CombatConfig, /) -> None: ...

    @property
    def obs(self) -> ObsConfig: ...

    @obs.setter
    def obs(self, arg: ObsConfig, /) -> None: ...

    @property
    def heuristic_blue(self) -> int: ...

    @heuristic_blue.setter
    def heuristic_blue(self, arg: int, /) -> None: ...

    @property
    def heuristic_red(self) -> int: ...

    @heuristic_red.setter
    def heuristic_red(self, arg: int, /) -> None: ...

    @property
    def heuristic_omniscient(self) -> bool: ...

    @heuristic_omniscient.setter
    def heuristic_omniscient(self, arg: bool, /) -> None: ...

    @property
    def num_agents(self) -> int: ...

    @property
    def action_dim(self) -> int: ...

    @property
    def max_steps(self) -> int: ...

    @property
    def zone_score_to_win(self) -> float: ...

config_fields: list = ...

heuristic_max_level: int = 4

procedural_min_height: int = 8

def required_spawn_clear(agents_per_team: int, min_map_side: int) -> int:
    """
    Side of a team's cleared spawn square; a map fits the roster when it is at most half the shorter side.
    """

episode_stat_names: list = ...

end_reason_names: list = ['none', 'zone', 'elimination', 'time_limit']

Buffer: TypeAlias = Any  # any DLPack array: numpy, torch CPU or CUDA

has_cuda: bool = True

snapshot_format_version: int = 3

class ObsBackend(enum.Enum):
    """Who writes the observation rows."""

    cpu = 0

    cuda = 1

    cuda_emulated = 2

action_blocks: list = ...

output_buffers: list = ...

class BatchSim:
    def __init__(self, config: SimConfig, num_worlds: int, seed: int, num_threads: int, obs_backend: ObsBackend = ObsBackend.cpu, device: int = 0, world_offset: int = 0) -> None:
        """
        obs_backend 'cuda' computes the observation on CUDA device `device` (obs bound in its memory); 'cuda_emulated' runs that mirror on the host (tests). world_offset: local world w plays the random streams of world world_offset + w (one block of a job's worlds).
        """

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

    @property
    def obs_backend(self) -> ObsBackend: ...

    def obs_layout(self) -> list[tuple[str, int, list[int]]]:
        """(name, offset, shape) of each block of the flat observation."""

    def output_buffers(self) -> list[tuple[str, str, list[int]]]:
        """
        (name, dtype, shape) of every output buffer this sim writes: allocate each, then bind it by name.
        """

    def bind(self, name: str, array: Buffer) -> None:
        """
        Binds one output buffer (C-contiguous; CPU memory, or CUDA memory for obs with obs_backend 'cuda').
        """

    def reset(self, stream: int = 0) -> None:
        """
        New episode in every world; writes the first observations (on `stream` with obs_backend 'cuda').
        """

    def step(self, actions: Buffer, stream: int = 0) -> int:
        """
        One decision step of every world; returns the number of non-finite action entries replaced by 0.
        """

    def bad_action_total(self) -> int: ...

    def save_state(self) -> bytes:
        """Snapshot of the whole simulator state (versioned, checksummed bytes)."""

    def load_state(self, blob: bytes, stream: int = 0) -> None:
        """
        Restores a save_state() snapshot of a sim with the same shape; re-writes the observation rows and alive flags. Raises ValueError on a corrupt, truncated or mismatching blob (the sim is then unchanged).
        """

    def set_heuristic_level(self, team: int, level: int) -> None:
        """
        Heuristic level of team 0 (blue) or 1 (red) from each world's next episode on; -1 = external.
        """

    def heuristic_level(self, team: int) -> int:
        """Level that new episodes get (-1 = external)."""

    def mirror_timings(self) -> dict:
        """
        Times (ms) of the last step's mirror phases: upload, terrain, los, assemble; host_ms: the calling thread's own time in the mirror (less an emulated device's copies and kernel bodies).
        """

    def set_write_observations(self, on: bool) -> None:
        """
        Off: no observation rows are written or computed (to time the simulation alone).
        """

    def mech_pos(self) -> Buffer:
        """Numpy view [W, A] of the mech table's pos ([W, A, 3] for vectors)."""

    def mech_vel(self) -> Buffer:
        """Numpy view [W, A] of the mech table's vel ([W, A, 3] for vectors)."""

    def mech_yaw(self) -> Buffer:
        """Numpy view [W, A] of the mech table's yaw ([W, A, 3] for vectors)."""

    def mech_hp(self) -> Buffer:
        """Numpy view [W, A] of the mech table's hp ([W, A, 3] for vectors)."""

    def mech_leg_hp(self) -> Buffer:
        """Numpy view [W, A] of the mech table's leg_hp ([W, A, 3] for vectors)."""

    def mech_heat(self) -> Buffer:
        """Numpy view [W, A] of the mech table's heat ([W, A, 3] for vectors)."""

    def mech_stability(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's stability ([W, A, 3] for vectors).
        """

    def mech_fallen_ticks(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's fallen_ticks ([W, A, 3] for vectors).
        """

    def mech_cd_laser(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's cd_laser ([W, A, 3] for vectors).
        """

    def mech_cd_missile(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's cd_missile ([W, A, 3] for vectors).
        """

    def mech_cd_kinetic(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's cd_kinetic ([W, A, 3] for vectors).
        """

    def mech_cd_painter(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's cd_painter ([W, A, 3] for vectors).
        """

    def mech_paint_ticks(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's paint_ticks ([W, A, 3] for vectors).
        """

    def mech_painter(self) -> Buffer:
        """Numpy view [W, A] of the mech table's painter ([W, A, 3] for vectors)."""

    def mech_suppress_ticks(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's suppress_ticks ([W, A, 3] for vectors).
        """

    def mech_ams_ticks(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's ams_ticks ([W, A, 3] for vectors).
        """

    def mech_focus(self) -> Buffer:
        """Numpy view [W, A] of the mech table's focus ([W, A, 3] for vectors)."""

    def mech_alive(self) -> Buffer:
        """Numpy view [W, A] of the mech table's alive ([W, A, 3] for vectors)."""

    def mech_cls(self) -> Buffer:
        """Numpy view [W, A] of the mech table's cls ([W, A, 3] for vectors)."""

    def mech_team(self) -> Buffer:
        """Numpy view [W, A] of the mech table's team ([W, A, 3] for vectors)."""

    def mech_ecm(self) -> Buffer:
        """Numpy view [W, A] of the mech table's ecm ([W, A, 3] for vectors)."""

    def mech_eccm(self) -> Buffer:
        """Numpy view [W, A] of the mech table's eccm ([W, A, 3] for vectors)."""

    def mech_was_hit(self) -> Buffer:
        """Numpy view [W, A] of the mech table's was_hit ([W, A, 3] for vectors)."""

    def mech_shutdown_prev(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's shutdown_prev ([W, A, 3] for vectors).
        """

    def mech_sort_mode(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's sort_mode ([W, A, 3] for vectors).
        """

    def mech_hostile_only(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's hostile_only ([W, A, 3] for vectors).
        """

    def mech_last_damage_dir(self) -> Buffer:
        """
        Numpy view [W, A] of the mech table's last_damage_dir ([W, A, 3] for vectors).
        """

    def mech_state(self, name: str) -> object:
        """
        Numpy view [W, A] of the mech table's field `name` ([W, A, 3] for vectors).
        """

    def mech_fields(self) -> list[str]:
        """
        Names of the mech table's fields, in declaration order (mech_fields.hpp).
        """

    def sensor_quality(self, world: int, agent: int) -> tuple:
        """
        (quality, jam, eccm) of an agent: the one sensor model (docs/game_rules.md).
        """

    def voxels(self, world: int) -> Buffer:
        """
        Read-only view of world w's materials [Z, Y, X]. Edit with set_voxels/set_voxel.
        """

    def voxel_hp(self, world: int) -> Buffer: ...

    def set_voxels(self, world: int, voxels: Buffer) -> None: ...

    def set_voxel(self, world: int, x: int, y: int, z: int, material: int) -> None: ...

    def damage_voxel(self, world: int, x: int, y: int, z: int, amount: float) -> bool: ...

    def changed_voxels(self, world: int) -> list[int]: ...

    def full_rebuild(self, world: int) -> bool: ...

    def clear_voxel_changes(self, world: int) -> None: ...

    def zone(self, world: int) -> tuple[float, float, float]: ...

    def set_zone(self, world: int, cx: float, cy: float, radius: float) -> None: ...

    def spawn_corners(self, world: int) -> tuple[int, int, int]: ...

    def zone_scores(self, world: int) -> tuple[float, float]: ...

    def episode_index(self, world: int) -> int: ...

    def step_count(self, world: int) -> int: ...

    def refresh_observation(self, world: int) -> None:
        """
        Re-writes world w's observation rows and alive flags from its current state.
        """

    def contact_slots(self, world: int) -> Buffer:
        """
        Agent index shown in each of the first five contact slots of every agent's last observation (-1: empty).
        """

    def set_contact_slots(self, world: int, agent: int, ids: Sequence[int]) -> None:
        """
        Agent ids shown in the 5 contact slots of an agent's last observation (target selection reads them).
        """

    def comm_messages(self, world: int) -> Buffer:
        """Last comm message of each agent of world w, [A, comm_dim]."""

    def last_actions(self, world: int) -> Buffer:
        """
        The action rows world w's last step used [A, action_dim]: sanitised caller rows and heuristic rows (read-only view).
        """

    def mirror_last_whole_grids(self) -> int:
        """Worlds whose whole voxel grid went up at the mirror's last upload."""

    def mirror_last_edits(self) -> int:
        """Voxel edits the mirror sent at its last upload."""

    def mirror_device_bytes(self) -> int:
        """Device memory the observation mirror holds."""

    def events(self, world: int) -> list:
        """Events of world w's last decision step (dicts)."""

    def dropped_events(self, world: int) -> int: ...

    def projectiles(self, world: int) -> list:
        """Projectiles in flight in world w."""

    def smoke_clouds(self, world: int) -> list:
        """Live smoke clouds of world w: (x, y, z, radius, ticks_left)."""

    def add_smoke(self, world: int, x: float, y: float, z: float, radius: float, ticks: int) -> bool: ...

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

    def record(self, world: int, episodes: int) -> None:
        """
        Record world w's next `episodes` episodes (-1: until stopped; 0: stop, keeping the episode in progress as an incomplete record).
        """

    def take_records(self) -> list:
        """
        Finished episode records (dicts of scalars and numpy arrays), oldest first per world.
        """

    def record_in_progress(self, world: int) -> object:
        """A copy of world w's episode record in progress, or None."""

event_type_names: list = ...

weapon_names: list = ...

def wreck_roll(agent: int, cls: int, x0: int, y0: int, z0: int, x1: int, y1: int, z1: int) -> float: ...

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

mech_flag_names: list = ...

def class_table() -> list:
    """
    Per hull class: id, name, half_size (hitbox half extents x, y, z), hp, leg_hp, heat_cap, max_speed, tonnage.
    """

def shared_math(name: str, x: Annotated[Buffer, dict(shape=(None,), order='C', device='cpu', writable=False)], y: object | None = None) -> Annotated[Buffer, dict(shape=(None,))]:
    """
    Elementwise sin, cos, log or atan2(x, y) of float32 arrays by the observation's shared host/device math (the bits the CPU writer and the CUDA kernels compute).
    """
