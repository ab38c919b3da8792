"""Policies: recurrent actor-critic models, the squashed-Gaussian distribution, LSTM state."""

from echelon.rl.distributions import TANH_EPS, SquashedGaussian
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import ActorCriticLSTM, PolicyOutput, RecurrentActorCritic, compile_model
from echelon.rl.obs_layout import ObsBlock, parse_obs_layout
from echelon.rl.policy import RecurrentPolicy
from echelon.rl.registry import build_model
from echelon.rl.suite_model import SuiteActorCriticLSTM

__all__ = [
    "TANH_EPS",
    "ActorCriticLSTM",
    "LSTMState",
    "ObsBlock",
    "PolicyOutput",
    "RecurrentActorCritic",
    "RecurrentPolicy",
    "SquashedGaussian",
    "SuiteActorCriticLSTM",
    "build_model",
    "compile_model",
    "parse_obs_layout",
]
