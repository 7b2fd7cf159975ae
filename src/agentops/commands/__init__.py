"""Layer 6: one plain function per command, returning an exit code; no click."""
