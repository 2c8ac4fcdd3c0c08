"""Words several layers share: workload classes and GPU generations (the calibration is kept by
them), the precisions training runs at, and the fabric layouts.

The spec (a workload's class), the catalog (a GPU's generation, a model's class) and the timing
model (one efficiency per class and generation) all name them from here.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "GENERATIONS",
    "KINDS",
    "PRECISIONS",
    "RAIL_MIN_ADAPTERS",
    "FabricLayout",
    "FabricLayoutChoice",
    "Generation",
    "Kind",
    "Precision",
    "fabric_layout",
]

Kind = Literal["cnn", "transformer", "rnn"]
Generation = Literal["volta", "turing", "ampere", "ada", "hopper", "blackwell"]
KINDS: tuple[Kind, ...] = get_args(Kind)
GENERATIONS: tuple[Generation, ...] = get_args(Generation)
Precision = Literal["fp16", "bf16", "fp8"]  # training arithmetic on tensor cores (int8 is for inference)
PRECISIONS: tuple[Precision, ...] = get_args(Precision)

# How compute nodes' fabric adapters reach the leaf switches (the spec chooses, the plan records it):
# rail-optimised: adapter i of every node of a rail group on the group's leaf i;
# leaf-per-node-group: a node's adapters on one leaf, leaves filled in node order.
FabricLayout = Literal["rail-optimised", "leaf-per-node-group"]
FabricLayoutChoice = Literal["auto", "rail-optimised", "leaf-per-node-group"]
RAIL_MIN_ADAPTERS = 4  # auto: rail-optimised from this many fabric adapters per node


def fabric_layout(choice: FabricLayoutChoice, adapters: int) -> FabricLayout:
    """The layout a plan uses: the spec's choice, or for ``auto`` rail-optimised when nodes have 4 or more adapters."""
    if choice != "auto":
        return choice
    return "rail-optimised" if adapters >= RAIL_MIN_ADAPTERS else "leaf-per-node-group"
