"""How the generator is customised (see README.md here); a package only so that the dev tools and tests import codegen.runtime."""
