"""The dev tools of this repository: everything between openapi.yaml and the tests, one job a module.

Not part of the published client (`modelslab_enterprise_3d` is generated into generated/). CONTRIBUTING.md lists
the modules; the Makefile's verbs run them (`make help`).
"""
