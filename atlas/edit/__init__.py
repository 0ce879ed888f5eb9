"""Writes: every change to the data goes through :func:`atlas.edit.service.apply`, which checks
ETags, validates the whole atlas by the same rules as ``atlas validate``, and commits through the
storage's transaction (so it is atomic, serialised across processes, and recorded in history)."""
