"""Layer 4: the edges that do I/O: the SDK adapter, the executor, GitHub, git."""
