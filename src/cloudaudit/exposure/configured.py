"""The rung of the evidence ladder the configuration alone gives a failing finding.

Every FAIL starts there: ``configured``, or ``reachable`` (with its in-account path as evidence) when
the check's network facts say the path is complete. The engine gives it to each failing finding as it
is built, so the exposure stage changes only the findings that observations concern
(:mod:`cloudaudit.exposure.correlate`), and leaves the others as they are (the same objects).
"""

from __future__ import annotations

from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model.network import NetworkExposure

CONFIGURED = Exposure(level=ExposureLevel.CONFIGURED)
"""The rung of a failing finding without a complete path (one shared instance)."""


def config_evidence(network: NetworkExposure) -> ExposureEvidence:
    """The in-account path of a reachable finding, as one evidence item."""
    seen = " -> ".join(h.detail for h in network.path)
    return ExposureEvidence(source="config", endpoint=network.endpoint(), seen=seen)


def configured_exposure(network: NetworkExposure | None) -> Exposure:
    """The rung of a failing finding with these network facts (None: a finding not about the network)."""
    if network is None or network.reachability != "reachable":
        return CONFIGURED
    return Exposure.model_construct(level=ExposureLevel.REACHABLE, evidence=(config_evidence(network),))


def is_configured_rung(exposure: Exposure, network: NetworkExposure | None) -> bool:
    """True when ``exposure`` is what :func:`configured_exposure` gives for ``network`` (tested without
    building it: a finding the engine graded, or one read from a file of a run without observations)."""
    if network is None or network.reachability != "reachable":
        return exposure.level is ExposureLevel.CONFIGURED and not exposure.evidence
    evidence = exposure.evidence
    return exposure.level is ExposureLevel.REACHABLE and len(evidence) == 1 and evidence[0].source == "config"
