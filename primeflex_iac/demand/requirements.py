"""The requirement groups: what a plan can fail, named once.

Every constraint that comes from the spec belongs to one group. A normal solve holds every group;
the explanation relaxes them one at a time to say which cannot hold together and how far each
must move. A group is a :class:`Requirement` kind, and for a time-to-model also the workload it
is about. Its :attr:`RequirementGroup.label` is the name the Plan reports (``"budget"``,
``"time-to-model: resnet"``); nothing parses a label back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Requirement", "RequirementGroup"]


class Requirement(StrEnum):
    """A kind of requirement; its value is the group's label (a workload's name follows a time-to-model)."""

    BUDGET = "budget"
    TOTAL_POWER = "total power"
    RACKS = "racks"
    POWER_PER_RACK = "power per rack"
    COMPUTE_FLOOR = "compute floor"
    STORAGE_CAPACITY = "storage capacity"
    STORAGE_THROUGHPUT = "storage throughput"
    TIME_TO_MODEL = "time-to-model"
    AS_OF = "as_of"
    COOLING = "cooling"
    ALLOWED_GPUS = "allowed gpus"
    ALLOWED_NODES = "allowed nodes"
    ALLOWED_FABRICS = "allowed fabrics"
    GPU_MEMORY = "gpu memory"
    PRECISION = "precision"
    EXISTING_SITE = (
        "existing site"  # an existing rack's free units and power, the fabric's free ports, the loop's spare heat removal
    )


@dataclass(frozen=True)
class RequirementGroup:
    """One group of constraints held or relaxed together: a kind, and the workload of a time-to-model.

    Rule: ``workload`` is given for TIME_TO_MODEL and for no other kind.
    """

    kind: Requirement
    workload: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is Requirement.TIME_TO_MODEL) != (self.workload is not None):
            raise ValueError(f"a workload name goes with a time-to-model group only, not {self.kind.value!r}")

    @property
    def label(self) -> str:
        """The name the Plan reports: the kind's value, then ``: <workload>`` for a time-to-model."""
        if self.workload is None:
            return self.kind.value
        return f"{self.kind.value}: {self.workload}"
