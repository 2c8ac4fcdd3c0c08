"""Every number the solver model needs: candidate platforms and fabrics, fat-tree arithmetic, software, storage."""
