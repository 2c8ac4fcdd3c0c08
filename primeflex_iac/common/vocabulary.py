"""Words several layers share: workload classes and GPU generations (the calibration is kept by
them), and the precisions training runs at.

The spec (a workload's class), the catalog (a GPU's generation, a model's class) and the timing
model (one efficiency per class and generation) all name them from here.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["GENERATIONS", "KINDS", "PRECISIONS", "Generation", "Kind", "Precision"]

Kind = Literal["cnn", "transformer", "rnn"]
Generation = Literal["volta", "turing", "ampere", "ada", "hopper", "blackwell"]
KINDS: tuple[Kind, ...] = get_args(Kind)
GENERATIONS: tuple[Generation, ...] = get_args(Generation)
Precision = Literal["fp16", "bf16"]  # training arithmetic on tensor cores (int8 is for inference)
PRECISIONS: tuple[Precision, ...] = get_args(Precision)
