"""GPU memory of a decoder (``family: gpt``) in a parallel layout: model states and activations.

Per GPU, for a layout of tensor parallel ``tp`` (inside a node, with sequence parallelism),
context parallel ``cp`` (each sequence split into cp parts, attention passing keys and values round
a ring), pipeline parallel ``pp``, data parallel ``dp`` with ZeRO stage ``zero`` and a micro-batch of
``b`` sequences of ``s`` tokens, width ``h``, ``L`` layers, vocabulary ``V``:

    states      = parameters / (tp x pp) x (weights 2 B + gradients 2 B + Adam 12 B (FP32 master,
                  momentum, variance)); ZeRO-1 divides the Adam part by dp x cp (the ranks that
                  hold the same weights), ZeRO-2 the gradients too, ZeRO-3 the weights too
                  (Rajbhandari et al. 2020). FP8 keeps an FP8 copy of the weights beside them.
    gathered    = ZeRO-3 only: two layers' full weights (12 h^2 / tp parameters, 2 B), gathered
                  ahead of their use
    activations = per layer and micro-batch s b h x 34 / (tp cp) bytes with sequence parallelism
                  (Korthikanti et al. 2022, table 2), plus 5 a s^2 b / (tp cp) for the attention
                  scores unless FlashAttention or selective recomputation drops them; full
                  recomputation keeps only each layer's input (2 s b h / (tp cp)) and one layer at a
                  time. Without FlashAttention the layer being recomputed (full or selective)
                  holds its scores while it runs: 5 a s^2 b / tp more. The first pipeline stage
                  holds min(pp, micro-batches) micro-batches of L / pp layers (1F1B schedule),
                  1 + (pp - 1) / (pp v) times that with v virtual stages (the interleaved
                  schedule, Narayanan et al. 2021).
    logits      = s b V x 4 B / (tp cp) (FP32 for the loss)

A layout fits when the sum is at most the GPU's memory less the stated reserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ACTIVATION_BYTES",
    "RECOMPUTE",
    "ZERO_STAGES",
    "DecoderShape",
    "Layout",
    "Recompute",
    "describe_layout",
    "memory_bytes",
    "state_bytes_per_parameter",
]

Recompute = Literal["none", "selective", "full"]
RECOMPUTE: tuple[Recompute, ...] = ("none", "selective", "full")
ZERO_STAGES = (0, 1, 2, 3)
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
    attention_heads: int | None = None

    @property
    def heads(self) -> int:
        if self.attention_heads is not None:
            return self.attention_heads
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
    cp: int = 1  # context parallel: GPUs each sequence is split over

    def as_dict(self) -> dict[str, int | str]:
        return {
            "tp": self.tp,
            "pp": self.pp,
            "dp": self.dp,
            "zero": self.zero,
            "recompute": self.recompute,
            "micro_batch": self.micro_batch,
            "virtual_stages": self.virtual_stages,
            "cp": self.cp,
        }

    def describe(self) -> str:
        return describe_layout(
            tp=self.tp,
            cp=self.cp,
            pp=self.pp,
            dp=self.dp,
            zero=self.zero,
            recompute=self.recompute,
            micro_batch=self.micro_batch,
            virtual_stages=self.virtual_stages,
        )


def describe_layout(
    *, tp: int, cp: int, pp: int, dp: int, zero: int, recompute: str, micro_batch: int, virtual_stages: int
) -> str:
    """``TP 8 x CP 2 x PP 4 x DP 16, ZeRO-1, recompute none, micro-batch 1, 4 virtual stages``: context
    parallelism and virtual stages only where used."""
    context = f" x CP {cp}" if cp > 1 else ""
    virtual = f", {virtual_stages} virtual stages" if virtual_stages > 1 else ""
    return f"TP {tp}{context} x PP {pp} x DP {dp}, ZeRO-{zero}, recompute {recompute}, micro-batch {micro_batch}{virtual}"


def state_bytes_per_parameter(precision: str, fp8_extra: float) -> tuple[float, float, float]:
    """(weights, gradients, optimizer) bytes per parameter in mixed precision with Adam."""
    weights = WEIGHT_BYTES + (fp8_extra if precision == "fp8" else 0.0)
    return weights, GRADIENT_BYTES, ADAM_BYTES


def memory_bytes(shape: DecoderShape, layout: Layout, micro_batches: float, fp8_extra: float) -> float:
    """Bytes one GPU needs for ``shape`` trained in ``layout`` (the most loaded pipeline stage)."""
    tp, pp, cp = layout.tp, layout.pp, layout.cp
    sharded_over = layout.dp * cp  # context-parallel ranks hold the same weights as data-parallel ones
    weights, gradients, optimizer = state_bytes_per_parameter(shape.precision, fp8_extra)
    if layout.zero >= 1:
        optimizer /= sharded_over
    if layout.zero >= 2:
        gradients /= sharded_over
    if layout.zero >= 3:
        weights /= sharded_over
    states = shape.parameters / (tp * pp) * (weights + gradients + optimizer)
    h, b = shape.hidden, layout.micro_batch
    s = shape.sequence / cp  # the tokens of a sequence one GPU holds
    gathered = 2 * 12 * h * h / tp * WEIGHT_BYTES if layout.zero >= 3 else 0.0
    layer = s * b * h * ACTIVATION_BYTES / tp
    scores = 0.0 if shape.flash_attention else 5 * shape.heads * s * shape.sequence * b / tp
    if layout.recompute == "none":
        layer += scores  # kept for the backward pass
    in_flight = min(pp, max(1.0, micro_batches)) * shape.layers / pp
    if layout.virtual_stages > 1:  # the interleaved schedule keeps more micro-batches in flight
        in_flight *= 1 + (pp - 1) / (pp * layout.virtual_stages)
    if layout.recompute == "full":
        activations = in_flight * 2 * s * b * h / tp + layer + scores  # the layer being recomputed, whole
    else:
        activations = in_flight * layer + (scores if layout.recompute == "selective" else 0.0)
    logits = s * b * shape.vocabulary * LOGIT_BYTES / tp
    return states + gathered + activations + logits
