"""Layer 5: how results look. Renderers (text, markdown, json, fleet, status, health) are pure
functions of values; `output` picks a command's format once and `terminal` is the console that
writes (stdout, stderr, the CI step summary), redacting every line."""
