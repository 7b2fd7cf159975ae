"""Renderers turn a plan (a value) into text for people or machines; they never do I/O."""
