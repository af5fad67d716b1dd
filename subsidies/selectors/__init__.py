"""Reads of the subsidies app, scoped to the viewing user."""
