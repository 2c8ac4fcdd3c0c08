"""Requirement groups: the labels the Plan reports, made in one place."""

from __future__ import annotations

import pytest

from primeflex_iac.demand.requirements import Requirement, RequirementGroup


def test_labels_are_the_reported_names() -> None:
    assert RequirementGroup(Requirement.BUDGET).label == "budget"
    assert RequirementGroup(Requirement.POWER_PER_RACK).label == "power per rack"
    assert RequirementGroup(Requirement.TIME_TO_MODEL, "resnet").label == "time-to-model: resnet"


def test_a_workload_goes_with_a_time_to_model_only() -> None:
    with pytest.raises(ValueError):
        RequirementGroup(Requirement.TIME_TO_MODEL)
    with pytest.raises(ValueError):
        RequirementGroup(Requirement.RACKS, "resnet")
