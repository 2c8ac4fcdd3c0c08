"""The short summary `primeflex solve` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.units import format_duration
from primeflex_iac.render.site_changes import existing_summary, upgrade_text

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan

__all__ = ["summary_text"]


def summary_text(plan: Plan) -> str:
    lines = [f"{plan.name}: {plan.status.upper()}"]
    if plan.status == "infeasible":
        lines.append("  No plan meets the spec. These requirements cannot hold together:")
        lines += [f"    - {c}" for c in plan.conflicts]
        lines.append("  Relax one of them (or allow more of the catalog) and solve again.")
        return "\n".join(lines) + "\n"
    for entry in plan.compute:
        if entry.existing_group is not None:  # cards into installed nodes: no node bought
            lines.append(f"  compute   {upgrade_text(entry)}: {entry.gpus} GPUs, {entry.tensor_tflops:,.0f} tensor TFLOPS")
            continue
        chassis = f" in {entry.chassis_count}x {entry.chassis}" if entry.chassis else ""
        lines.append(
            f"  compute   {entry.count}x {entry.node_name}{chassis}, {entry.gpus_per_node}x {entry.gpu_name} each: "
            f"{entry.gpus} GPUs, {entry.tensor_tflops:,.0f} tensor TFLOPS"
            + (f", {entry.int8_tops:,.0f} INT8 TOPS" if entry.int8_tops else "")
        )
    if plan.fabric is not None:
        f = plan.fabric
        shape = {1: "one switch", 2: "leaf-spine", 3: "three-level fat tree"}[f.tiers]
        if f.tiers == 1:
            switches = "1x"
        else:
            switches = (
                f"{f.leaf_switches} leaf + {f.spine_switches} spine"
                + (f" + {f.core_switches} core" if f.core_switches else "")
                + " x"
            )
        if plan.existing is not None and plan.existing.fabric is not None:
            use = plan.existing.fabric
            new = f", {use.new_leaves} new leaf x {f.switch} on {use.spine_ports_used} free spine ports" if use.new_leaves else ""
            if use.new_spines:  # a new spine level
                joined = f"{use.spine_ports_used} free spine" + (
                    f" + {use.join_leaf_ports} free leaf" if use.join_leaf_ports else ""
                )
                new = (
                    f", a new spine level: {use.new_leaves} leaf + {use.new_spines} spine x {f.switch}, joined on {joined} ports"
                )
            lines.append(f"  fabric    {f.name}, existing: {use.leaf_ports_used} of {use.free_leaf_ports} free leaf ports{new}")
        else:
            lines.append(f"  fabric    {f.name}, {f.link_gbps} Gb/s per node port, {shape}: {switches} {f.switch}")
    if plan.existing is not None:
        lines.append(f"  existing  {existing_summary(plan)}")
    if plan.storage is not None:
        s = plan.storage
        blocks = ", ".join(f"{n}x {b}" for b, n in s.blocks.items())
        lines.append(
            f"  storage   {s.file_system}: {s.usable_tib:,.1f} TiB usable ({blocks}), {s.servers} servers, {s.rack_units}U, "
            f"{s.read_gbs:,.1f} GB/s"
        )
    for w in plan.workloads:
        estimate = format_duration(w.time_to_model_s) if w.time_to_model_s is not None else "-"
        lines.append(f"  workload  {w.name}: {estimate} estimated, {format_duration(w.required_s)} required ({w.bound} bound)")
        if w.parallelism is not None:
            lines.append(f"  layout    {w.parallelism.describe()}; {w.memory_per_gpu_gb or 0:,.1f} GB per GPU")
    if plan.totals is not None:
        t = plan.totals
        lines.append(
            f"  racks     {t.racks} ({t.rack_units}U used), {t.power_kw:,.1f} kW max, {t.heat_btu_h:,.0f} BTU/h, {t.weight_kg:,.0f} kg"
        )
        lines.append(f"  cost      {t.cost:,.0f} {t.currency}")
        if t.tco > 0 or t.cost == 0:  # plans written before the lifetime cost existed read it as zero
            lines.append(
                f"  tco       {t.tco:,.0f} {t.currency} over {t.lifetime_years:g} years: capex {t.capex:,.0f}, "
                f"support {t.support_cost:,.0f}, energy {t.energy_cost:,.0f} ({t.energy_mwh:,.0f} MWh)"
            )
        for a in plan.alternatives:
            shown = f"tco {a.tco:,.0f}, capex {a.capex:,.0f}: " if a.status in ("optimal", "feasible") else ""
            lines.append(f"  {a.cooling:<9} {shown}{a.summary}")
    if plan.objective is not None and plan.solve is not None:
        o = plan.objective
        proof = (
            "proven optimal"
            if plan.status == "optimal"
            else f"gap {plan.solve.gap:.1%}"
            if plan.solve.gap is not None
            else "gap unknown"
        )
        value = "-" if o.value is None else format_duration(o.value) if o.name == "time" else f"{o.value:,.0f}"
        lines.append(f"  objective {o.name} = {value} ({proof})")
    for warning in plan.warnings:
        lines.append(f"  warning   {warning}")
    return "\n".join(lines) + "\n"
