"""Data in: reading and checking layers, CRSs, Vietnamese text, bundled layers, units, grids."""
