"""Writes of the subsidies app, one module per area."""
