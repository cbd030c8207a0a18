"""Driving the generated client from a spec: calls built from schemas, the demo, the spec-generic suite on any
document, the docs' examples."""
