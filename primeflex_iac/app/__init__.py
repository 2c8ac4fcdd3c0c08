"""The pipeline as library calls: inputs, solve, explain, sweep."""
