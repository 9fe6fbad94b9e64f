"""Internet exposure: what the Internet actually sees of the audited account's addresses.

``targets`` turns an inventory into the public addresses and ports to look up; a
:class:`~cloudaudit.exposure.sources.ExposureSource` (Shodan, InternetDB, a snapshot file, the
opt-in active probe) turns targets into :class:`~cloudaudit.exposure.model.Observation` s and
:class:`~cloudaudit.exposure.model.ExposureGap` s; ``correlate`` grades findings on the evidence
ladder and adds findings for what was observed without a matching configuration finding.
"""
