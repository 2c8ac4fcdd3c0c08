"""The software stack a spec gets: the seed's required components and the optional connectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog, Software
    from primeflex_iac.spec.model import Spec

__all__ = ["choose_software"]


def choose_software(spec: Spec, catalog: Catalog) -> list[Software]:
    """OS, cluster manager, scheduler (the spec's choice or the catalog default), the framework
    layer, and, with storage, the file system, its HDFS connector and object storage as asked."""
    chosen: list[Software] = []
    preferred = spec.preferences.software
    for category in ("os", "cluster_manager", "scheduler", "framework"):
        wanted = getattr(preferred, category, None)
        if wanted is None and spec.existing is not None:  # the site keeps what it runs
            wanted = getattr(spec.existing.software, category, None)
        options = [s for s in catalog.software.values() if s.category == category]
        pick = next((s for s in options if s.id == wanted), None) if wanted else next((s for s in options if s.default), None)
        if pick is not None:
            chosen.append(pick)
    if spec.storage is not None:
        file_system = catalog.software[spec.storage.file_system]
        chosen.append(file_system)
        if "hdfs" in spec.storage.access:
            chosen.extend(
                s for s in catalog.software.values() if s.category == "hdfs_connector" and s.file_system == file_system.id
            )
        if "s3" in spec.storage.access:
            chosen.extend(s for s in catalog.software.values() if s.category == "object_storage")
    return chosen
