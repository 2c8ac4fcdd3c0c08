"""GPU types in gres.conf that Slurm's ``AutoDetect=nvml`` matches.

With autodetection, slurmd asks NVML for each GPU's name, writes it in lower case with ``_`` for
spaces, and takes a gres.conf ``Type`` only if it is that name or a substring of it (gres.conf(5):
"the Type specified should match or be a substring of the value that is detected, using an
underscore in lieu of any spaces"). Catalog ids do not always meet that: ``h100-sxm5-80gb`` is not
in ``nvidia_h100_80gb_hbm3``. The names below are what ``nvidia-smi --query-gpu=name`` (NVML's
``nvmlDeviceGetName``) prints for each catalog GPU; the Type is that name, normalised, without
its vendor word, so it matches the name NVML reports and reads like the product.
"""

from __future__ import annotations

__all__ = ["NVML_NAMES", "gres_type", "nvml_detected"]

NVML_NAMES = {
    "v100-pcie-32gb": "Tesla V100-PCIE-32GB",
    "v100-sxm2-16gb": "Tesla V100-SXM2-16GB",
    "v100-sxm2-32gb": "Tesla V100-SXM2-32GB",
    "v100-sxm3-32gb": "Tesla V100-SXM3-32GB",
    "t4": "Tesla T4",
    "a100-pcie-40gb": "NVIDIA A100-PCIE-40GB",
    "a100-pcie-80gb": "NVIDIA A100 80GB PCIe",
    "a100-sxm4-40gb": "NVIDIA A100-SXM4-40GB",
    "a100-sxm4-80gb": "NVIDIA A100-SXM4-80GB",
    "h100-sxm5-80gb": "NVIDIA H100 80GB HBM3",
    "h200-sxm-141gb": "NVIDIA H200",
    "l40s": "NVIDIA L40S",
}
_VENDOR_WORDS = ("tesla_", "nvidia_")


def nvml_detected(name: str) -> str:
    """The type slurmd's NVML autodetection derives from an NVML device name."""
    return name.lower().replace(" ", "_")


def gres_type(gpu: str) -> tuple[str, bool]:
    """The gres Type of catalog GPU ``gpu`` and whether autodetection is known to match it.

    A GPU whose NVML name is known gets that name normalised, vendor word dropped
    (``h100_80gb_hbm3``); any other (an overlay's GPU) keeps its catalog id, unverified.
    """
    name = NVML_NAMES.get(gpu)
    if name is None:
        return gpu, False
    detected = nvml_detected(name)
    for word in _VENDOR_WORDS:
        detected = detected.removeprefix(word)
    return detected, True
