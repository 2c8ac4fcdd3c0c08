"""Which netbox-community/devicetype-library device type a catalog item's hardware is (``netbox`` of
an item): the exports reuse the library's slug, model and component names for it.

Self-contained (pydantic only), as the catalog's models read it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["NetboxComponent", "NetboxType"]

_Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
_Text = Annotated[str, StringConstraints(min_length=3, max_length=400, pattern=r"^[^\x00-\x1f\x7f]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetboxComponent(_Strict):
    """One component of a devicetype-library device type, as the library names it."""

    name: _Name
    type: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+$", max_length=50)]
    mgmt_only: bool = False
    maximum_draw: int | None = Field(default=None, ge=1, le=100_000, description="Watts (power ports).")


class NetboxType(_Strict):
    """The netbox-community/devicetype-library device type of this hardware: a NetBox that imported the
    library has it already, so exports use its slug, model and component names."""

    manufacturer: _Name
    model: _Name
    slug: Annotated[str, StringConstraints(pattern=r"^[-a-z0-9_]+$", max_length=100)]
    source: _Text = Field(description="The library file: device-types/<Manufacturer>/<file>.")
    is_full_depth: bool
    console_ports: list[NetboxComponent] = Field(default_factory=list)
    power_ports: list[NetboxComponent] = Field(default_factory=list, description="None: the library has none (PSU bays).")
    interfaces: list[NetboxComponent] = Field(default_factory=list, description="Named interfaces (management, onboard).")
    fabric_ports: str | None = Field(default=None, description="Name of fabric port {n} (from 1), e.g. IB1/{n}.")
    fabric_port_type: str | None = None
    management_interface: str | None = Field(default=None, description="The interface the management network cables.")
