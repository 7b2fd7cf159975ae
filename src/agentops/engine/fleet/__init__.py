"""The fleet section of a plan: schedule load, DST effects and worst-case spend, before -> after.

Pure: the plan, the live listing and `now` are inputs. "Before" is the listed workspace;
"after" is that listing with the plan's actions applied to it (creates, patches, pauses,
archives), so `--target` and `ignore_changes` show exactly what apply would leave.

One job per module: `state` (deployments before and after the plan), `fires` (fire times),
`load` (runs per minute, the busiest minutes), `dst` (DST effects), `spend` (worst-case
cost), `section` (the section's rows, as views render them and saved plans store them) and
`build` (the section of a plan). This package imports none of them, so `engine.plan` can
name the section's type without importing the planner back.
"""
