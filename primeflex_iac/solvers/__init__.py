"""The CP-SAT model over block counts; the only package that imports OR-Tools."""

from .solve import SolveOptions, solve_demand

__all__ = ["SolveOptions", "solve_demand"]
