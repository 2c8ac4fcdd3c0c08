"""The catalog of building blocks: data files with a source for every figure."""

from primeflex_iac.catalog.loader import DATA_DIR, load_catalog
from primeflex_iac.catalog.models import Catalog, is_assumption

__all__ = ["DATA_DIR", "Catalog", "is_assumption", "load_catalog"]
