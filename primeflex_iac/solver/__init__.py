"""The CP-SAT model over block counts: the only package that imports OR-Tools."""
