"""How the generator is customised (see README.md here).

A package only so that the dev tools and the tests can import codegen.runtime.
"""
