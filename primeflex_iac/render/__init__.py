"""Plan to files for people: topology, rack elevations, BOM, report, Pareto plot. No solver here."""
