"""Typed building blocks of the catalog.

Every item carries an availability date and a ``source`` for its figures; ``sources`` overrides
the source of single fields (most often ``price: assumption``). A source is a white-paper
reference ("seed: ..."), a datasheet or document, or starts with "assumption" (no public figure
found) or "interpretation" (a reading of an ambiguous passage). Users lay their own figures over
any of them with a catalog overlay.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from primeflex_iac.catalog.energy import EnergyFigures
from primeflex_iac.catalog.items import (
    BoundedFloat,
    BoundedInt,
    Cooling,
    Item,
    LoopEquipment,
    Powered,
    Priced,
    is_assumption,
)
from primeflex_iac.catalog.references import reference_errors
from primeflex_iac.common.names import DisplayName
from primeflex_iac.common.strict import Strict
from primeflex_iac.common.vocabulary import Generation, Kind

__all__ = [
    "Adapter",
    "Cable",
    "Catalog",
    "Chassis",
    "CpuNode",
    "Drive",
    "Fabric",
    "FabricMode",
    "Gpu",
    "HeadNode",
    "Item",
    "LoopEquipment",
    "ManagementSwitch",
    "Rack",
    "Server",
    "Software",
    "StorageBlock",
    "StorageDevice",
    "StorageRules",
    "Switch",
    "WorkloadModel",
    "is_assumption",
]


class Gpu(Priced):
    vendor: str = "NVIDIA"
    form_factor: Literal["pcie", "sxm2", "sxm3", "sxm4", "sxm5", "sxm"]
    fp32_tflops: BoundedFloat
    tensor_tflops: BoundedFloat = Field(le=1e7, description="Dense FP16/BF16 tensor-core peak.")
    int8_tops: BoundedFloat | None = Field(default=None, le=1e7, description="Dense INT8 tensor peak; none if not offered.")
    fp8_tflops: BoundedFloat | None = Field(
        default=None, le=1e7, description="Dense FP8 tensor-core peak (Hopper, Ada and later); none where the GPU has no FP8."
    )
    memory_gb: BoundedFloat
    memory_bandwidth_gbs: BoundedFloat
    tdp_w: BoundedFloat
    nvlink_gbs: BoundedFloat | None = Field(default=None, le=1e6, description="Total NVLink bandwidth per GPU, if any.")
    pcie_gbs: BoundedFloat = Field(le=1e6, description="PCIe host interface bandwidth per GPU, both directions together (GB/s).")
    generation: Generation = Field(
        description="Architecture; the time-to-model calibration keeps one efficiency per workload class and generation."
    )
    sustained_share: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Share of the fully powered part's training throughput a power-limited card of the same chip and "
        "datasheet peak sustains (the efficiencies were fitted on fully powered parts).",
    )
    bf16: bool = Field(
        default=False,
        description="Tensor cores take BF16; default: from the generation (Ampere and later; Volta and Turing take FP16 only).",
    )

    @model_validator(mode="before")
    @classmethod
    def _bf16_from_generation(cls, data: Any) -> Any:
        # Interpretation, sourced: BF16 tensor-core math arrived with Ampere (NVIDIA A100 Tensor Core GPU
        # Architecture whitepaper, 2020: "BF16 ... new in A100"); Volta and Turing tensor cores take FP16.
        if isinstance(data, dict) and data.get("bf16") is None:
            return {**data, "bf16": data.get("generation") not in ("volta", "turing")}
        return data

    def supports(self, precision: str) -> bool:
        """Whether training at ``precision`` runs on this GPU's tensor cores."""
        return precision == "fp16" or (precision == "bf16" and self.bf16) or (precision == "fp8" and self.fp8_tflops is not None)


class NodeModel(Priced):
    """What every compute node model has: its box, its CPUs and memory, its power without GPUs."""

    cooling: Cooling
    height_u: int = Field(ge=0, le=20, description="Rack units of one node; 0 when it sits in a chassis.")
    chassis: str | None = Field(default=None, description="Chassis id when the node is a sled in a shared enclosure.")
    cpu_sockets: BoundedInt = 2
    threads_per_core: int = Field(default=2, ge=1, le=16, description="Hardware threads per core (2 with Hyper-Threading/SMT).")
    memory_gb: BoundedInt
    base_power_max_w: float = Field(ge=0, le=1e7, description="Maximum draw without GPUs.")
    base_power_typical_w: float = Field(ge=0, le=1e7, description="Typical draw without GPUs.")
    weight_kg: float = Field(ge=0, le=1e5)
    fabric_adapters: int = Field(default=1, ge=1, le=64, description="High-speed fabric ports per node.")

    @model_validator(mode="after")
    def _height_or_chassis(self) -> NodeModel:
        if (self.chassis is None) == (self.height_u == 0):
            raise ValueError("a node has either its own height_u or a chassis, not both or neither")
        return self


class Server(NodeModel):
    """A GPU compute node model (price and power without GPUs)."""

    gpus: list[str] = Field(min_length=1, description="GPU ids this node accepts.")
    gpu_counts: list[Annotated[int, Field(ge=1, le=256)]] = Field(
        min_length=1, description="GPU counts per node it can be built with."
    )
    intra_node: Literal["nvlink", "pcie"]
    cpu_cores_per_socket: Annotated[int, Field(ge=1, le=4096)] | None = Field(
        default=None, description="Physical cores per CPU (Slurm's CoresPerSocket); none when not known."
    )
    min_link_gbps: int = Field(default=0, ge=0, le=100_000, description="Slowest fabric link the node is sold with.")


class CpuNode(NodeModel):
    """A CPU-only node model that existing clusters run (price: what one costs new; an existing one costs nothing)."""

    cpu_cores_per_socket: Annotated[int, Field(ge=1, le=4096)] = Field(description="Physical cores per CPU.")
    gpu_upgrade: str | None = Field(
        default=None,
        description="The catalog server (a GPU build of the same box) whose GPUs and GPU counts the node's free "
        "slots take; none when no GPU card can be added.",
    )


class Chassis(Powered):
    cooling: Cooling
    node_slots: BoundedInt


class Adapter(Priced):
    link_gbps: BoundedInt
    power_max_w: float = Field(ge=0, le=1e7)


class Cable(Priced):
    pass


class Switch(Powered):
    ports: int = Field(ge=1, le=2048, description="Physical ports.")
    port_gbps: BoundedInt


class FabricMode(Strict):
    """One way to run a fabric's switches: full ports, or ports split in two (HDR100, NDR200)."""

    name: DisplayName
    link_gbps: int = Field(ge=1, le=100_000, description="Speed at the node.")
    endpoints_per_port: int = Field(default=1, ge=1, le=8, description="2 when a port is split for two nodes.")
    adapter: str
    cable: str = Field(description="Node-to-switch cable (a splitter cable serves endpoints_per_port nodes).")
    long_cable: str | None = Field(
        default=None,
        description="Node-to-switch cable between racks (optical), where the copper cable does not reach; none: it reaches.",
    )


class Fabric(Item):
    family: Literal["ethernet", "infiniband", "omni-path"]
    switch: str
    modes: list[FabricMode] = Field(min_length=1)
    uplink_cable: str = Field(description="Switch-to-switch cable.")
    latency_us: BoundedFloat = Field(le=1e6, description="MPI latency.")
    max_compute_nodes: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Largest cluster the fabric is viable for."
    )
    max_gpus: int | None = Field(default=None, ge=1, le=100_000_000, description="Most GPUs the fabric is viable for.")


class ManagementSwitch(Powered):
    ports: BoundedInt
    uplink_ports: int = Field(ge=0, le=2048, description="Ports kept for uplinks, not for devices.")
    cable: str | None = Field(
        default=None, description="Catalog cable of every management port and uplink; none leaves them out of the cost."
    )


class HeadNode(Powered):
    fabric_ports: BoundedInt = 1


class Drive(Priced):
    capacity_tb: BoundedFloat = Field(le=1e6, description="Decimal terabytes, as drives are sold.")
    read_mbs: BoundedFloat = Field(le=1e7, description="Sustained sequential read per drive.")


class StorageDevice(Powered):
    role: Literal["controller_shelf", "drive_enclosure", "mdt_shelf", "storage_server"]
    drive_slots: int = Field(default=0, ge=0, le=10_000)
    fabric_ports: int = Field(default=0, ge=0, le=256)
    read_gbs: float = Field(default=0, ge=0, le=1e6, description="Throughput a storage server serves (GB/s).")


class StorageBlock(Item):
    """A unit of capacity: a controller shelf with its enclosures and drives, as the paper's table reads."""

    devices: dict[str, BoundedInt]
    drive: str
    drives: int = Field(ge=1, le=10_000, description="Drives fitted, hot spares included.")
    raid_groups: BoundedInt
    raid_data: int = Field(ge=1, le=1000, description="Data drives per RAID group.")
    raid_parity: int = Field(ge=1, le=100, description="Parity drives per RAID group.")
    hot_spares: int = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _drives_add_up(self) -> StorageBlock:
        needed = self.raid_groups * (self.raid_data + self.raid_parity) + self.hot_spares
        if needed > self.drives:
            raise ValueError(f"RAID groups and spares need {needed} drives, the block has {self.drives}")
        return self


class StorageRules(Strict):
    """How blocks are served: server pairs per controller shelves, one metadata shelf per system."""

    source: str
    server: str
    servers_per_group: BoundedInt
    controller_shelves_per_server_group: BoundedInt
    mdt_shelf: str
    mdt_shelves: BoundedInt
    mdt_drive: str
    mdt_drives: BoundedInt
    format_overhead: float = Field(ge=0, lt=1, description="Share of RAID capacity lost to formatting.")


class Rack(Priced):
    height_u: BoundedInt
    weight_kg: float = Field(ge=0, le=1e5)


class Software(Priced):
    category: Literal["os", "cluster_manager", "scheduler", "file_system", "hdfs_connector", "object_storage", "framework"]
    # what a licence is counted by: the cluster, each compute node, each storage server, or each
    # server that runs the OS (compute nodes, the head node and the storage servers)
    per: Literal["cluster", "node", "storage_server", "server"] = "cluster"
    file_system: str | None = Field(default=None, description="For connectors: the file system it belongs to.")
    default: bool = False


class WorkloadModel(Item):
    """A training workload of the zoo: what one sample costs, the default dataset, batch and schedule.

    ``training_flops_per_sample`` is None where no FLOPs figure could be sourced: the calibration
    table then holds an equivalent figure fitted on MLPerf rows. GPT-style decoders (``family:
    gpt``) compute their FLOPs from parameters, layers, width and sequence length instead.
    """

    kind: Kind = Field(description="Workload class of the efficiency calibration.")
    family: Literal["gpt"] | None = Field(default=None, description="gpt: FLOPs and dataset follow from the parameters.")
    sample: str = Field(description="What one sample is (image, sequence, token, sentence pair).")
    training_flops_per_sample: BoundedFloat | None = Field(
        le=1e25,
        default=None,
        description="FLOP for one sample, forward and backward; none: calibrated (see the calibration table).",
    )
    parameters: int = Field(ge=1, le=10**15, description="Trainable parameters (the gradient all-reduced every step).")
    sequence_length: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Tokens per sequence, for sequence models."
    )
    layers: int | None = Field(default=None, ge=1, le=100_000, description="Transformer layers (attention FLOPs).")
    hidden: int | None = Field(default=None, ge=1, le=10_000_000, description="Transformer width (attention FLOPs).")
    vocabulary: int | None = Field(
        default=None, ge=1, le=10_000_000, description="gpt: tokens in the vocabulary (the logits' memory)."
    )
    tokens: float | None = Field(default=None, gt=0, le=1e18, description="gpt: training tokens, when the zoo states them.")
    dataset_samples: int | None = Field(
        default=None, ge=1, le=10**18, description="Samples per epoch; gpt: from tokens_per_parameter."
    )
    tokens_per_parameter: BoundedFloat | None = Field(default=None, le=1e6, description="gpt: training tokens per parameter.")
    bytes_per_sample: BoundedFloat = Field(le=1e15, description="Bytes read from storage per sample.")
    epochs: BoundedFloat
    global_batch: int = Field(ge=1, le=10**12, description="Samples per optimizer step over the whole cluster.")
    min_gpu_memory_gb: BoundedFloat | None = Field(
        default=None, description="GPU memory the model needs; gpt: from the parameters (mixed-precision Adam states)."
    )

    @model_validator(mode="after")
    def _gpt_or_figures(self) -> WorkloadModel:
        if self.family == "gpt":
            if self.sequence_length is None or self.tokens_per_parameter is None:
                raise ValueError("a gpt workload needs sequence_length and tokens_per_parameter")
        elif self.dataset_samples is None or self.min_gpu_memory_gb is None:
            raise ValueError("a workload needs dataset_samples and min_gpu_memory_gb")
        return self


class Catalog(Strict):
    """All building blocks, indexed by id within each section."""

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    heat_btu_per_w: float = Field(default=3.412, gt=0, le=100, description="BTU/h per watt.")
    extreme_link_gbps: int = Field(
        default=100,
        description="Node links faster than this are the paper's 'extreme' fabrics, used only when required.",
    )
    extreme_link_source: str = "seed"
    gpus: dict[str, Gpu]
    servers: dict[str, Server]
    cpu_nodes: dict[str, CpuNode] = Field(default_factory=dict, description="CPU-only nodes an existing cluster runs.")
    chassis: dict[str, Chassis]
    fabrics: dict[str, Fabric]
    switches: dict[str, Switch]
    adapters: dict[str, Adapter]
    cables: dict[str, Cable]
    management_switches: dict[str, ManagementSwitch]
    head_nodes: dict[str, HeadNode]
    drives: dict[str, Drive]
    storage_devices: dict[str, StorageDevice]
    storage_blocks: dict[str, StorageBlock]
    storage_rules: StorageRules
    energy: EnergyFigures
    loop_equipment: dict[str, LoopEquipment]
    racks: dict[str, Rack]
    software: dict[str, Software]
    workloads: dict[str, WorkloadModel]

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        """Every id an item names exists; each problem located at the field that names it."""
        problems = reference_errors(self)
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def block_data_drives(self, block: StorageBlock) -> int:
        return block.raid_groups * block.raid_data

    def block_usable_tib(self, block: StorageBlock) -> float:
        """Usable capacity: data drives x drive size, in TiB, less the formatting overhead."""
        drive = self.drives[block.drive]
        raw_bytes = self.block_data_drives(block) * drive.capacity_tb * 1e12
        return raw_bytes / 1024**4 * (1 - self.storage_rules.format_overhead)

    def block_read_gbs(self, block: StorageBlock) -> float:
        return self.block_data_drives(block) * self.drives[block.drive].read_mbs / 1000

    def block_controller_shelves(self, block: StorageBlock) -> int:
        return sum(n for did, n in block.devices.items() if self.storage_devices[did].role == "controller_shelf")
