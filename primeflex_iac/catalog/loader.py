"""Load the shipped catalog and lay users' overlays over it.

The shipped data files (``data/*.yaml``) hold each section as a list of items. An overlay file
changes figures of existing items, or adds items, by section and id::

    apiVersion: primeflex-iac/v1
    kind: CatalogOverlay
    source: "ACME price list 2019-05"      # the source of every figure set here
    currency: {code: EUR, per_catalog_unit: 0.92}
    gpus:
      v100-pcie-32gb: {price: 8200}

Figures an overlay sets take the overlay's source. An overlay is checked as strictly as a spec;
its problems are reported at its own lines.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, ValidationError, create_model

from primeflex_iac.catalog.models import Catalog
from primeflex_iac.common.located_yaml import describe_error, format_path, load_yaml, validate_document
from primeflex_iac.common.names import DisplayText
from primeflex_iac.errors import CatalogError, Problem, SpecError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from primeflex_iac.common.located_yaml import YamlDocument

__all__ = ["DATA_DIR", "SECTIONS", "load_catalog"]

DATA_DIR = Path(__file__).parent / "data"
# The sections are the catalog model's id-indexed mappings, in its order; prices are converted in
# the sections whose items carry one.
SECTIONS = tuple(name for name, field in Catalog.model_fields.items() if get_origin(field.annotation) is dict)
_PRICE_SECTIONS = tuple(name for name in SECTIONS if "price" in get_args(Catalog.model_fields[name].annotation)[1].model_fields)


class _Currency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the overlay's prices.")
    per_catalog_unit: PositiveFloat = Field(description="Units of this currency per unit of the catalog's currency.")


class _OverlayHead(BaseModel):
    """The outer shape of an overlay; item fields are checked later, against the merged catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    apiVersion: Literal["primeflex-iac/v1"]
    kind: Literal["CatalogOverlay"]
    source: DisplayText | None = Field(default=None, min_length=3, description="Source of the figures this overlay sets.")
    currency: _Currency | None = None
    storage_rules: dict[str, Any] | None = None
    energy: dict[str, Any] | None = None


# every section of the catalog, as a mapping of item ids to the fields the overlay sets
_SECTION_FIELDS: dict[str, Any] = {section: (dict[str, dict[str, Any]], {}) for section in SECTIONS}
_OverlayFile = create_model("_OverlayFile", __base__=_OverlayHead, **_SECTION_FIELDS)


class _Origins:
    """Where each item and overridden field came from, to place validation errors."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[YamlDocument, tuple[str | int, ...]]] = {}
        self.fields: dict[tuple[str, str, str], tuple[YamlDocument, tuple[str | int, ...]]] = {}

    def problem(self, default: YamlDocument, loc: Sequence[str | int], message: str) -> Problem:
        if len(loc) >= 3 and isinstance(loc[0], str) and isinstance(loc[1], str):
            key = (loc[0], loc[1], str(loc[2]))
            if key in self.fields:
                document, base = self.fields[key]
                return document.problem((*base, *loc[3:]), message)
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], str):
            item = (loc[0], loc[1])
            if item in self.items:
                document, base = self.items[item]
                return document.problem((*base, *loc[2:]), message)
        return Problem(default.file, None, None, format_path(loc), message)


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Any], tuple[YamlDocument, ...]]:
    data: dict[str, Any] = {section: {} for section in SECTIONS}
    documents = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        document = load_yaml(path)
        documents.append(document)
        for key, value in document.data.items():
            if key in SECTIONS:
                for _index, item in enumerate(value):
                    data[key][item["id"]] = item
            else:
                data[key] = value
    return data, tuple(documents)


def _shipped_origins(documents: Iterable[YamlDocument]) -> _Origins:
    origins = _Origins()
    for document in documents:
        for key, value in document.data.items():
            if key in SECTIONS:
                for index, item in enumerate(value):
                    origins.items[(key, item["id"])] = (document, (key, index))
            elif isinstance(value, dict):  # storage_rules: each rule is located like an item
                for name in value:
                    origins.items[(key, name)] = (document, (key, name))
    return origins


def load_catalog(overlays: Sequence[str | Path] = ()) -> Catalog:
    """The shipped catalog with ``overlays`` laid over it in order.

    Raises :class:`CatalogError` listing every problem, located in the file that caused it.
    """
    shipped, documents = _shipped()
    data = copy.deepcopy(shipped)
    origins = _shipped_origins(documents)
    problems: list[Problem] = []
    for overlay_path in overlays:
        try:
            document = load_yaml(overlay_path)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        try:
            overlay: _OverlayHead = validate_document(document, _OverlayFile)
        except SpecError as exc:
            problems.extend(exc.problems)
            # still lay its well-formed item sections, so that their problems are reported too
            lenient = _item_sections(document)
            if lenient is None:
                continue
            overlay = lenient
        problems.extend(_apply(data, document, overlay, origins))
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        problems.extend(_catalog_problems(exc, documents[0], origins))
    if problems:
        raise CatalogError(sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or 0, p.path)))
    return catalog


def _catalog_problems(exc: ValidationError, default: YamlDocument, origins: _Origins) -> list[Problem]:
    """The merged catalog's errors, located; an item's missing fields are reported together."""
    found = []
    missing: dict[tuple[str | int, ...], list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        if error["type"] == "missing" and loc:
            missing.setdefault(tuple(loc[:-1]), []).append(str(loc[-1]))
        found.append(origins.problem(default, loc, describe_error(error, Catalog, loc)))
    # several missing fields of one item: one problem at the item, naming them all
    for parent, names in missing.items():
        if len(names) > 1:
            found = [p for p in found if not (p.path.startswith(format_path(parent) + ".") and p.message.startswith("required"))]
            found.append(origins.problem(default, list(parent), f"required fields missing: {', '.join(names)}"))
    return found


def _item_sections(document: YamlDocument) -> _OverlayHead | None:
    """The sections of an invalid overlay that are mappings of item mappings, as an overlay of their own."""
    sections = {
        key: value
        for key, value in document.data.items()
        if key in SECTIONS and isinstance(value, dict) and all(isinstance(item, dict) for item in value.values())
    }
    if not sections:
        return None
    try:
        return _OverlayFile.model_validate({"apiVersion": "primeflex-iac/v1", "kind": "CatalogOverlay", **sections})
    except ValidationError:
        return None


def _apply(data: dict[str, Any], document: YamlDocument, overlay: _OverlayHead, origins: _Origins) -> list[Problem]:
    problems: list[Problem] = []
    default_source = overlay.source or f"overlay {Path(document.file).name}"
    if overlay.currency is not None:
        rate = overlay.currency.per_catalog_unit
        for section in _PRICE_SECTIONS:
            for item in data[section].values():
                if "price" in item:
                    item["price"] = item["price"] * rate
                    sources = item.setdefault("sources", {})
                    base = sources.get("price", item["source"])
                    sources["price"] = f"{base} (converted at {rate:g} {overlay.currency.code} per {data.get('currency', 'USD')})"
        _convert_energy_price(data["energy"], rate, overlay.currency.code, data.get("currency", "USD"))
        data["currency"] = overlay.currency.code
    if overlay.storage_rules:
        for name, value in overlay.storage_rules.items():
            data["storage_rules"][name] = value
            origins.items[("storage_rules", name)] = (document, ("storage_rules", name))
        data["storage_rules"]["source"] = overlay.storage_rules.get("source", default_source)
    energy = overlay.energy or {}
    given: dict[str, Any] = energy["sources"] if isinstance(energy.get("sources"), dict) else {}
    for name, value in energy.items():
        origins.items[("energy", name)] = (document, ("energy", name))
        if name == "sources":
            continue
        data["energy"][name] = value
        if name != "source":
            data["energy"].setdefault("sources", {})[name] = given.get(name, energy.get("source", default_source))
    for section in SECTIONS:
        for item_id, fields in getattr(overlay, section).items():
            if not isinstance(fields, dict):
                problems.append(document.problem((section, item_id), "expected a mapping of fields"))
                continue
            origins.items.setdefault((section, item_id), (document, (section, item_id)))
            if item_id not in data[section]:
                new_item = {"id": item_id, "source": default_source, **fields}
                data[section][item_id] = new_item
                origins.items[(section, item_id)] = (document, (section, item_id))
                continue
            item = data[section][item_id]
            given_sources = fields.get("sources", {}) if isinstance(fields.get("sources"), dict) else {}
            for name, value in fields.items():
                origins.fields[(section, item_id, name)] = (document, (section, item_id, name))
                if name == "sources":
                    continue
                if name == "id" and value != item_id:
                    problems.append(document.problem((section, item_id, name), "an overlay cannot change an id"))
                    continue
                item[name] = value
                if name not in {"name", "notes", "source"}:
                    item.setdefault("sources", {})[name] = given_sources.get(name, fields.get("source", default_source))
            for name, value in given_sources.items():
                item.setdefault("sources", {})[name] = value
    return problems


def _convert_energy_price(energy: dict[str, Any], rate: float, code: str, before: str) -> None:
    """The catalog's energy price in an overlay's currency, converted at its stated rate like every price."""
    if isinstance(energy.get("price_per_kwh"), (int, float)):
        energy["price_per_kwh"] = energy["price_per_kwh"] * rate
        sources = energy.setdefault("sources", {})
        base = sources.get("price_per_kwh", energy.get("source", "assumption"))
        sources["price_per_kwh"] = f"{base} (converted at {rate:g} {code} per {before})"
