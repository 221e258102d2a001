"""The dialler's rules, as pure functions: what an outcome means, how many calls at once."""

from __future__ import annotations

SUCCESS, FAILED, RETRY = "success", "failed", "retry"
PERSON = frozenset({"answer", "key"})  # a person answered


def effective_outcome(outcome: str, machine: str) -> str:
    """With machine detection off (machine=""), a machine counts as an answer."""
    return "answer" if outcome == "machine" and machine == "" else outcome


def result_of(outcome: str, machine: str, success: str, attempt: int, attempts: int) -> str:
    """What an attempt's outcome does to its destination: success, failed, or retry later.

    `attempt` is the number of this attempt (1 for the first), `attempts` the campaign's
    allowance: an unsuccessful attempt is retried while fewer than `attempts` were made.
    """
    outcome = effective_outcome(outcome, machine)
    if outcome == "machine" and machine == "failed":
        return FAILED
    if outcome == "machine" and machine == "success":
        return SUCCESS
    if outcome == "key" or (outcome == "answer" and success == "answer"):
        return SUCCESS
    return RETRY if attempt < attempts else FAILED


def occupies_agent(outcome: str, machine: str) -> bool:
    """Whether a call to a queue reaches an agent (and keeps one busy while it talks)."""
    return effective_outcome(outcome, machine) in PERSON


def free_slots(
    maximum: int,
    in_progress: int,
    agent_rule: bool,
    agents: int = 0,
    busy_agents: int = 0,
    keep_available: int = 0,
) -> int:
    """How many attempts may start now.

    At most `maximum` are in progress. With the agent rule (a queue campaign with
    keep_agents_available non-zero), also: in progress < available agents - keep_available,
    where the available agents are the queue's agents not talking; a negative keep_available
    lets it dial more calls than there are available agents.
    """
    free = maximum - in_progress
    if agent_rule:
        free = min(free, agents - busy_agents - keep_available - in_progress)
    return max(free, 0)
