"""The command line: arguments in, pipeline, exit code out."""
