"""JSON Schemas for editors and tools: the spec's as draft-07, the plan's as pydantic writes it.

yaml-language-server (the YAML support of VS Code, Neovim and others) completes and checks
fields from a draft-07 schema. Pydantic writes draft 2020-12 idioms, so the spec's schema is
rewritten: ``$defs`` become ``definitions``, a ``$ref`` with sibling keywords (ignored beside
``$ref`` in draft-07) is wrapped in ``allOf``, and keywords draft-07 lacks are refused rather than
silently dropped. ``schema/spec.schema.json`` is this function's output (``primeflex schema``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.plan.model import Plan
from primeflex_iac.spec.model import Spec

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog

__all__ = ["DRAFT_07", "SPEC_SCHEMA_ID", "plan_json_schema", "spec_json_schema"]

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SPEC_SCHEMA_ID = "urn:primeflex-iac:schema:spec:v1"  # also shipped in the package: primeflex_iac/schema/
_SOFTWARE = ("os", "cluster_manager", "scheduler")
# 2019-09 and 2020-12 keywords a draft-07 validator would ignore without a word
_NOT_DRAFT_07 = {
    "$defs",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "minContains",
    "maxContains",
}


def _to_draft_07(node: Any, path: str) -> Any:
    if isinstance(node, list):
        return [_to_draft_07(item, f"{path}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    unsupported = sorted(_NOT_DRAFT_07 & set(node))
    if unsupported:
        raise ValueError(f"{path or '/'}: {', '.join(unsupported)} has no draft-07 equivalent")
    converted = {key: _to_draft_07(value, f"{path}/{key}") for key, value in node.items()}
    if "$ref" in converted and len(converted) > 1:
        ref = converted.pop("$ref")
        converted["allOf"] = [{"$ref": ref}]
    return converted


def spec_json_schema(catalog: Catalog | None = None) -> dict[str, Any]:
    """The spec's JSON Schema in draft-07, for yaml-language-server and check-jsonschema.

    The catalog ids a spec names (GPUs, nodes, fabrics, zoo models, software) are enumerated from
    ``catalog`` (the shipped one by default), so that an editor completes them and flags a typo;
    a spec using an overlay's items needs the schema written with that overlay.
    """
    raw = Spec.model_json_schema(ref_template="#/definitions/{model}")
    definitions = raw.pop("$defs", {})
    schema: dict[str, Any] = {"$schema": DRAFT_07, "$id": SPEC_SCHEMA_ID, **_to_draft_07(raw, "")}
    schema["definitions"] = {name: _to_draft_07(value, f"/definitions/{name}") for name, value in definitions.items()}
    _enumerate_ids(schema["definitions"], catalog if catalog is not None else load_catalog())
    return schema


def _enumerate_ids(definitions: dict[str, Any], catalog: Catalog) -> None:
    software = sorted(catalog.software.values(), key=lambda item: item.id)
    choices = {
        ("Preferences", "gpus"): sorted(catalog.gpus),
        ("Preferences", "nodes"): sorted(catalog.servers),
        ("Preferences", "fabrics"): sorted(catalog.fabrics),
        ("Workload", "model"): [*sorted(catalog.workloads), "custom"],
        **{("SoftwareChoice", category): [s.id for s in software if s.category == category] for category in _SOFTWARE},
    }
    for (definition, field), ids in choices.items():
        _restrict_strings(definitions[definition]["properties"][field], ids)


def _restrict_strings(node: Any, ids: list[str]) -> None:
    """Give every plain string type inside ``node`` (itself, a list's items, a member of anyOf) the enum ``ids``."""
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and "pattern" not in node:
        node["enum"] = ids
    for key in ("items", "anyOf"):
        value = node.get(key)
        for child in value if isinstance(value, list) else [value]:
            _restrict_strings(child, ids)


def plan_json_schema() -> dict[str, Any]:
    """The plan's JSON Schema as pydantic writes it (``schema/plan.schema.json``)."""
    return Plan.model_json_schema()
