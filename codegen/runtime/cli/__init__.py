"""The command line (`modelslab-3d`), its MCP server and the gallery of a batch."""
