"""Words several layers share: the workload classes and GPU generations the calibration is kept by.

The spec (a workload's class), the catalog (a GPU's generation, a model's class) and the timing
model (one efficiency per class and generation) all name them from here.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["GENERATIONS", "KINDS", "Generation", "Kind"]

Kind = Literal["cnn", "transformer", "rnn"]
Generation = Literal["volta", "turing", "ampere", "ada", "hopper", "blackwell"]
KINDS: tuple[Kind, ...] = get_args(Kind)
GENERATIONS: tuple[Generation, ...] = get_args(Generation)
