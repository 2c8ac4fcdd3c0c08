"""GPU memory of a decoder (``family: gpt``) in a parallel layout: model states and activations.

Per GPU, for a layout of tensor parallel ``tp`` (inside a node, with sequence parallelism),
pipeline parallel ``pp``, data parallel ``dp`` with ZeRO stage ``zero`` and a micro-batch of
``b`` sequences of ``s`` tokens, width ``h``, ``L`` layers, vocabulary ``V``:

    states      = parameters / (tp x pp) x (weights 2 B + gradients 2 B + Adam 12 B (FP32 master,
                  momentum, variance)); ZeRO-1 divides the Adam part by dp, ZeRO-2 the gradients
                  too, ZeRO-3 the weights too (Rajbhandari et al. 2020). FP8 keeps an FP8 copy
                  of the weights beside them.
    gathered    = ZeRO-3 only: two layers' full weights (12 h^2 / tp parameters, 2 B), gathered
                  ahead of their use
    activations = per layer and micro-batch s b h x 34 / tp bytes with sequence parallelism
                  (Korthikanti et al. 2022, table 2), plus 5 a s^2 b / tp for the attention
                  scores unless FlashAttention or selective recomputation drops them; full
                  recomputation keeps only each layer's input (2 s b h / tp) and one layer at a
                  time. The first pipeline stage holds min(pp, micro-batches) micro-batches of
                  L / pp layers (1F1B schedule), 1 + (pp - 1) / (pp v) times that with v virtual
                  stages (the interleaved schedule, Narayanan et al. 2021).
    logits      = s b V x 4 B / tp (FP32 for the loss)

A layout fits when the sum is at most the GPU's memory less the stated reserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ACTIVATION_BYTES",
    "RECOMPUTE",
    "DecoderShape",
    "Layout",
    "Recompute",
    "memory_bytes",
    "state_bytes_per_parameter",
]

Recompute = Literal["none", "selective", "full"]
RECOMPUTE: tuple[Recompute, ...] = ("none", "selective", "full")
ACTIVATION_BYTES = 34  # per token and width unit of one layer, 16-bit (Korthikanti et al. 2022)
ADAM_BYTES = 12  # FP32 master weights, momentum and variance
GRADIENT_BYTES = 2
WEIGHT_BYTES = 2
LOGIT_BYTES = 4


@dataclass(frozen=True)
class DecoderShape:
    """What the memory and step models need of a GPT-style decoder."""

    parameters: float
    layers: int
    hidden: int
    sequence: int
    vocabulary: int
    precision: str
    flash_attention: bool = True

    @property
    def heads(self) -> int:
        return max(1, self.hidden // 128)  # assumption: heads of width 128 (GPT-3, Llama)

    @property
    def flops_per_token(self) -> float:
        """Model FLOPs per token as MFU counts them: 6 x parameters + 12 x layers x width x sequence."""
        return 6 * self.parameters + 12 * self.layers * self.hidden * self.sequence


@dataclass(frozen=True)
class Layout:
    """How a decoder's training is split over the GPUs of a run."""

    tp: int
    pp: int
    dp: int
    zero: int
    recompute: Recompute
    micro_batch: int
    virtual_stages: int = 1  # interleaved 1F1B: model chunks per pipeline stage

    def as_dict(self) -> dict[str, int | str]:
        return {
            "tp": self.tp,
            "pp": self.pp,
            "dp": self.dp,
            "zero": self.zero,
            "recompute": self.recompute,
            "micro_batch": self.micro_batch,
            "virtual_stages": self.virtual_stages,
        }

    def describe(self) -> str:
        return (
            f"TP {self.tp} x PP {self.pp} x DP {self.dp}, ZeRO-{self.zero}, "
            f"recompute {self.recompute}, micro-batch {self.micro_batch}"
            + (f", {self.virtual_stages} virtual stages" if self.virtual_stages > 1 else "")
        )


def state_bytes_per_parameter(precision: str, fp8_extra: float) -> tuple[float, float, float]:
    """(weights, gradients, optimizer) bytes per parameter in mixed precision with Adam."""
    weights = WEIGHT_BYTES + (fp8_extra if precision == "fp8" else 0.0)
    return weights, GRADIENT_BYTES, ADAM_BYTES


def memory_bytes(shape: DecoderShape, layout: Layout, micro_batches: float, fp8_extra: float) -> float:
    """Bytes one GPU needs for ``shape`` trained in ``layout`` (the most loaded pipeline stage)."""
    tp, pp, dp = layout.tp, layout.pp, layout.dp
    weights, gradients, optimizer = state_bytes_per_parameter(shape.precision, fp8_extra)
    if layout.zero >= 1:
        optimizer /= dp
    if layout.zero >= 2:
        gradients /= dp
    if layout.zero >= 3:
        weights /= dp
    states = shape.parameters / (tp * pp) * (weights + gradients + optimizer)
    h, s, b = shape.hidden, shape.sequence, layout.micro_batch
    gathered = 2 * 12 * h * h / tp * WEIGHT_BYTES if layout.zero >= 3 else 0.0
    layer = s * b * h * ACTIVATION_BYTES / tp
    if not shape.flash_attention and layout.recompute == "none":
        layer += 5 * shape.heads * s * s * b / tp
    in_flight = min(pp, max(1.0, micro_batches)) * shape.layers / pp
    if layout.virtual_stages > 1:  # the interleaved schedule keeps more micro-batches in flight
        in_flight *= 1 + (pp - 1) / (pp * layout.virtual_stages)
    activations = in_flight * 2 * s * b * h / tp + layer if layout.recompute == "full" else in_flight * layer
    logits = s * b * shape.vocabulary * LOGIT_BYTES / tp
    return states + gathered + activations + logits
