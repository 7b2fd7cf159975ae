"""Layer 3: the pure engine: desired state, normalization, diff, plan. No SDK, no click, no network."""
