"""onefunnel."""
