"""The TPP pay engine: pure computation over narwhals frames (SPEC §4)."""

from engine.inputs import Inputs
from engine.period import Period
from engine.policy import Policy, PolicyError, policy_for_period
from engine.run import POOL_COLUMNS, REGISTER_COLUMNS, RunResult, inputs_digest, run_id_of, run_period

__all__ = ["POOL_COLUMNS", "REGISTER_COLUMNS", "Inputs", "Period", "Policy", "PolicyError",
           "RunResult", "inputs_digest", "policy_for_period", "run_id_of", "run_period"]
