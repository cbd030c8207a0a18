"""Loopback servers the dev tools stand up beside the package's spec-driven mock: a host for vendor files."""
