"""The dev tools of this repository: everything between openapi.yaml and the tests, in packages of one job each,
layered (repo, spec, generation, release, spec_update, mock, harness, bench: each imports only those before it).

Not part of the published client (`modelslab_enterprise_3d` is generated into generated/). CONTRIBUTING.md maps
the packages; the Makefile's verbs run them (`make help`).
"""
