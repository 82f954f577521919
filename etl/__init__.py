"""Shared transformation library of the harvesters."""
