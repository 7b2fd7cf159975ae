"""Layer 6, shared: what the commands have in common, so each command module is only its command.

`workspace` is the one way into a workspace (a checked project, the Api, the live listing);
`reconcile` plans a project against it and checks saved plans; `execute` carries out a plan's
writes; `health` reads run health; `machine` keeps `--format json` machine-readable on failure;
`flags` are the options every planning command takes; `target` is where a command acts and
`failure` the one error a command raises. No click here, and no SDK import at module level.
"""
