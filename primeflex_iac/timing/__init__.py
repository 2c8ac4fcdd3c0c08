"""Time-to-model without a solver: workloads, calibration, the step model and the estimate."""
