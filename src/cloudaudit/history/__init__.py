"""The history of runs: a store of runs and their findings (SQLite or PostgreSQL), stable finding
fingerprints, and the diff between two runs.

- :mod:`.fingerprint`: what makes a finding "the same finding" from run to run;
- :mod:`.diff`: :class:`~.diff.Changes` (new, resolved, changed, unchanged) between two sets of findings;
- :mod:`.store`: the store itself (SQLAlchemy, Alembic migrations applied on open);
- :mod:`.recorder`: what a run does with the store (compare with the previous run, then record).

Only :mod:`.store` needs SQLAlchemy (the ``store`` extra): the others import without it.
"""
