"""What the customer needs: the spec's models, read from YAML with located errors."""
