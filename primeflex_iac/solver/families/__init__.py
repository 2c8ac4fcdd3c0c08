"""One module per constraint family, each opening with the rule it enforces."""
