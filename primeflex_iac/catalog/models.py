"""Typed building blocks of the catalog.

Every item carries an availability date and a ``source`` for its figures; ``sources`` overrides
the source of single fields (most often ``price: assumption``). A source is a white-paper
reference ("seed: ..."), a datasheet or document, or starts with "assumption" (no public figure
found) or "interpretation" (a reading of an ambiguous passage). Users lay their own figures over
any of them with a catalog overlay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from primeflex_iac.common.strict import Month, Strict
from primeflex_iac.common.vocabulary import Generation, Kind

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Adapter",
    "Cable",
    "Catalog",
    "Chassis",
    "Drive",
    "Fabric",
    "FabricMode",
    "Gpu",
    "HeadNode",
    "Item",
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

Cooling = Literal["air", "water"]


def is_assumption(source: str) -> bool:
    return source.strip().lower().startswith("assumption")


class Item(Strict):
    """Fields common to every catalog item."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", description="Stable identifier used in specs and plans.")
    name: str = Field(description="Product name as a customer reads it.")
    available: Month = Field(description="First month the item could be ordered.")
    source: str = Field(min_length=3, description="Where the item's figures come from.")
    sources: dict[str, str] = Field(default_factory=dict, description="Per-field sources that differ from `source`.")
    notes: str = Field(default="", description="Anything an architect should know about the item.")
    generic: bool = Field(default=False, description="A stand-in for any vendor's product of this class.")

    @model_validator(mode="after")
    def _sources_name_fields(self) -> Item:
        unknown = sorted(set(self.sources) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"sources name fields the item does not have: {', '.join(unknown)}")
        return self

    def source_of(self, field: str) -> str:
        return self.sources.get(field, self.source)


class Priced(Item):
    price: float = Field(ge=0, description="Indicative unit price in the catalog's currency.")


class Powered(Priced):
    height_u: int = Field(ge=0, le=60, description="Rack units.")
    power_max_w: float = Field(ge=0, description="Maximum (nameplate) draw, used for rack and site limits.")
    power_typical_w: float = Field(ge=0, description="Typical draw, used for energy estimates.")
    weight_kg: float = Field(ge=0, description="Weight.")


class Gpu(Priced):
    vendor: str = "NVIDIA"
    form_factor: Literal["pcie", "sxm2", "sxm3", "sxm4", "sxm5", "sxm"]
    fp32_tflops: PositiveFloat
    tensor_tflops: PositiveFloat = Field(description="Dense FP16/BF16 tensor-core peak.")
    int8_tops: PositiveFloat | None = Field(default=None, description="Dense INT8 tensor peak; none if not offered.")
    fp8_tflops: PositiveFloat | None = Field(
        default=None, description="Dense FP8 tensor-core peak (Hopper, Ada and later); none where the GPU has no FP8."
    )
    memory_gb: PositiveFloat
    memory_bandwidth_gbs: PositiveFloat
    tdp_w: PositiveFloat
    nvlink_gbs: PositiveFloat | None = Field(default=None, description="Total NVLink bandwidth per GPU, if any.")
    pcie_gbs: PositiveFloat = Field(description="PCIe host interface bandwidth per GPU, both directions together (GB/s).")
    generation: Generation = Field(
        description="Architecture; the time-to-model calibration keeps one efficiency per workload class and generation."
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


class Server(Priced):
    """A compute node model (price and power without GPUs)."""

    cooling: Cooling
    height_u: int = Field(ge=0, le=20, description="Rack units of one node; 0 when it sits in a chassis.")
    chassis: str | None = Field(default=None, description="Chassis id when the node is a sled in a shared enclosure.")
    gpus: list[str] = Field(min_length=1, description="GPU ids this node accepts.")
    gpu_counts: list[PositiveInt] = Field(min_length=1, description="GPU counts per node it can be built with.")
    intra_node: Literal["nvlink", "pcie"]
    cpu_sockets: PositiveInt = 2
    cpu_cores_per_socket: PositiveInt | None = Field(
        default=None, description="Physical cores per CPU (Slurm's CoresPerSocket); none when not known."
    )
    threads_per_core: PositiveInt = Field(default=2, description="Hardware threads per core (2 with Hyper-Threading/SMT).")
    memory_gb: PositiveInt
    base_power_max_w: float = Field(ge=0, description="Maximum draw without GPUs.")
    base_power_typical_w: float = Field(ge=0, description="Typical draw without GPUs.")
    weight_kg: float = Field(ge=0)
    fabric_adapters: PositiveInt = Field(default=1, description="High-speed fabric ports per node.")
    min_link_gbps: int = Field(default=0, ge=0, description="Slowest fabric link the node is sold with.")

    @model_validator(mode="after")
    def _height_or_chassis(self) -> Server:
        if (self.chassis is None) == (self.height_u == 0):
            raise ValueError("a node has either its own height_u or a chassis, not both or neither")
        return self


class Chassis(Powered):
    cooling: Cooling
    node_slots: PositiveInt


class Adapter(Priced):
    link_gbps: PositiveInt
    power_max_w: float = Field(ge=0)


class Cable(Priced):
    pass


class Switch(Powered):
    ports: PositiveInt = Field(description="Physical ports.")
    port_gbps: PositiveInt


class FabricMode(Strict):
    """One way to run a fabric's switches: full ports, or ports split in two (HDR100, NDR200)."""

    name: str
    link_gbps: PositiveInt = Field(description="Speed at the node.")
    endpoints_per_port: PositiveInt = Field(default=1, description="2 when a port is split for two nodes.")
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
    latency_us: PositiveFloat = Field(description="MPI latency.")
    max_compute_nodes: int | None = Field(default=None, description="Largest cluster the fabric is viable for.")
    max_gpus: int | None = Field(default=None, description="Most GPUs the fabric is viable for.")


class ManagementSwitch(Powered):
    ports: PositiveInt
    uplink_ports: int = Field(ge=0, description="Ports kept for uplinks, not for devices.")
    cable: str | None = Field(
        default=None, description="Catalog cable of every management port and uplink; none leaves them out of the cost."
    )


class HeadNode(Powered):
    fabric_ports: PositiveInt = 1


class Drive(Priced):
    capacity_tb: PositiveFloat = Field(description="Decimal terabytes, as drives are sold.")
    read_mbs: PositiveFloat = Field(description="Sustained sequential read per drive.")


class StorageDevice(Powered):
    role: Literal["controller_shelf", "drive_enclosure", "mdt_shelf", "storage_server"]
    drive_slots: int = Field(default=0, ge=0)
    fabric_ports: int = Field(default=0, ge=0)
    read_gbs: float = Field(default=0, ge=0, description="Throughput a storage server serves (GB/s).")


class StorageBlock(Item):
    """A unit of capacity: a controller shelf with its enclosures and drives, as the paper's table reads."""

    devices: dict[str, PositiveInt]
    drive: str
    drives: PositiveInt = Field(description="Drives fitted, hot spares included.")
    raid_groups: PositiveInt
    raid_data: PositiveInt = Field(description="Data drives per RAID group.")
    raid_parity: PositiveInt = Field(description="Parity drives per RAID group.")
    hot_spares: int = Field(ge=0)

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
    servers_per_group: PositiveInt
    controller_shelves_per_server_group: PositiveInt
    mdt_shelf: str
    mdt_shelves: PositiveInt
    mdt_drive: str
    mdt_drives: PositiveInt
    format_overhead: float = Field(ge=0, lt=1, description="Share of RAID capacity lost to formatting.")


class Rack(Priced):
    height_u: PositiveInt
    weight_kg: float = Field(ge=0)


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
    training_flops_per_sample: PositiveFloat | None = Field(
        default=None, description="FLOP for one sample, forward and backward; none: calibrated (see the calibration table)."
    )
    parameters: PositiveInt = Field(description="Trainable parameters (the gradient all-reduced every step).")
    sequence_length: PositiveInt | None = Field(default=None, description="Tokens per sequence, for sequence models.")
    layers: PositiveInt | None = Field(default=None, description="Transformer layers (attention FLOPs).")
    hidden: PositiveInt | None = Field(default=None, description="Transformer width (attention FLOPs).")
    vocabulary: PositiveInt | None = Field(default=None, description="gpt: tokens in the vocabulary (the logits' memory).")
    tokens: PositiveFloat | None = Field(default=None, description="gpt: training tokens, when the zoo states them.")
    dataset_samples: PositiveInt | None = Field(default=None, description="Samples per epoch; gpt: from tokens_per_parameter.")
    tokens_per_parameter: PositiveFloat | None = Field(default=None, description="gpt: training tokens per parameter.")
    bytes_per_sample: PositiveFloat = Field(description="Bytes read from storage per sample.")
    epochs: PositiveFloat
    global_batch: PositiveInt = Field(description="Samples per optimizer step over the whole cluster.")
    min_gpu_memory_gb: PositiveFloat | None = Field(
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
    heat_btu_per_w: float = Field(default=3.412, description="BTU/h per watt.")
    extreme_link_gbps: int = Field(
        default=100,
        description="Node links faster than this are the paper's 'extreme' fabrics, used only when required.",
    )
    extreme_link_source: str = "seed"
    gpus: dict[str, Gpu]
    servers: dict[str, Server]
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
    racks: dict[str, Rack]
    software: dict[str, Software]
    workloads: dict[str, WorkloadModel]

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        problems: list[str] = []

        def need(section: Mapping[str, object], ref: str | None, where: str) -> None:
            if ref is not None and ref not in section:
                problems.append(f"{where} names unknown id {ref!r}")

        for sid, server in self.servers.items():
            for gid in server.gpus:
                need(self.gpus, gid, f"servers.{sid}.gpus")
            need(self.chassis, server.chassis, f"servers.{sid}.chassis")
        for fid, fabric in self.fabrics.items():
            need(self.switches, fabric.switch, f"fabrics.{fid}.switch")
            need(self.cables, fabric.uplink_cable, f"fabrics.{fid}.uplink_cable")
            for mode in fabric.modes:
                need(self.adapters, mode.adapter, f"fabrics.{fid}.modes.{mode.name}.adapter")
                need(self.cables, mode.cable, f"fabrics.{fid}.modes.{mode.name}.cable")
                need(self.cables, mode.long_cable, f"fabrics.{fid}.modes.{mode.name}.long_cable")
        for mid, management in self.management_switches.items():
            need(self.cables, management.cable, f"management_switches.{mid}.cable")
        for bid, block in self.storage_blocks.items():
            for did in block.devices:
                need(self.storage_devices, did, f"storage_blocks.{bid}.devices")
            need(self.drives, block.drive, f"storage_blocks.{bid}.drive")
        rules = self.storage_rules
        need(self.storage_devices, rules.server, "storage_rules.server")
        need(self.storage_devices, rules.mdt_shelf, "storage_rules.mdt_shelf")
        need(self.drives, rules.mdt_drive, "storage_rules.mdt_drive")
        for section in (
            self.gpus,
            self.servers,
            self.chassis,
            self.fabrics,
            self.switches,
            self.adapters,
            self.cables,
            self.management_switches,
            self.head_nodes,
            self.drives,
            self.storage_devices,
            self.storage_blocks,
            self.racks,
            self.software,
            self.workloads,
        ):
            for key, item in section.items():
                if key != item.id:
                    problems.append(f"item {key!r} has id {item.id!r}")
        if problems:
            raise ValueError("; ".join(problems))
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
