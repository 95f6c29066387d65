"""Team policies: load and validate them, and decide what happens to each prompt."""

from privacy_guard.policy.decision import Decision, FindingAction, decide
from privacy_guard.policy.load import (
    DEFAULT_TEAM,
    SHIPPED_POLICIES,
    PolicySet,
    check_policies,
    load_policies,
)
from privacy_guard.policy.model import Action, Mode, OnError, Operator, Policy, Rule

__all__ = [
    "DEFAULT_TEAM",
    "SHIPPED_POLICIES",
    "Action",
    "Decision",
    "FindingAction",
    "Mode",
    "OnError",
    "Operator",
    "Policy",
    "PolicySet",
    "Rule",
    "check_policies",
    "decide",
    "load_policies",
]
