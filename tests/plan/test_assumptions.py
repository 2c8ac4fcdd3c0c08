"""A plan lists the assumptions it rests on, and only those: not a zoo figure the spec overrides."""

from __future__ import annotations

from primeflex_iac import Catalog, parse_spec_text, solve

SPEC = """
apiVersion: primeflex-iac/v1
name: llm
workloads:
  - name: gpt
    model: gpt
    time_to_model: 30 d
{extra}
site: {{racks: {{power_per_rack: 40 kW}}}}
preferences: {{gpus: [h100-sxm5-80gb]}}
"""
SETS_ALL = """    parameters: 1300000000
    global_batch: 512
    epochs: 1
    dataset: {samples: 20000000, size: 80 GB}
"""
ZOO_FIGURES = ("gpt.parameters:", "gpt.global_batch:", "gpt.epochs:", "gpt.bytes_per_sample:")


def _assumptions(extra: str, catalog: Catalog) -> list[str]:
    plan = solve(parse_spec_text(SPEC.format(extra=extra)), catalog)
    assert plan.status == "optimal"
    return plan.assumptions


def test_zoo_assumptions_are_listed_only_when_the_spec_leaves_the_figure_out(catalog: Catalog) -> None:
    defaults = _assumptions("", catalog)
    assert all(any(a.startswith(figure) for a in defaults) for figure in ZOO_FIGURES), defaults
    overridden = _assumptions(SETS_ALL, catalog)
    assert not [a for a in overridden if a.startswith(ZOO_FIGURES)], overridden
