"""The client API's endpoints, one module per area; each parses, calls a service or selector, serializes."""
