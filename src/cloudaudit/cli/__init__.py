"""The ``cloudaudit`` command line."""

from cloudaudit.collector import tune_for_audits

tune_for_audits()  # before the command's imports: see AUDIT_THRESHOLDS
