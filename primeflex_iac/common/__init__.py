"""Shared by every layer: units, YAML with locations, naming, the strict base model."""
