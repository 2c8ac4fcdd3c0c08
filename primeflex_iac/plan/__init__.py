"""The answer: the Plan model, its assembly from a selection, placement, cabling and the independent check."""
