"""Why a spec has no plan, and how far each requirement must move."""
