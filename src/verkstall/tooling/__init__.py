"""Tooling above every domain app: demo data, the test builders, the isolation proof, the
benchmark generator and measurements, and the SPEC index. Nothing in a domain app imports it."""
