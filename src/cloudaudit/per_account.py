"""One report set per account of a run that covers several: ``<output-dir>/accounts/<account>/``.

Each set holds the requested formats (and ``inventory.json``) with only that account's findings,
coverage gaps and attack surface; the combined set in ``<output-dir>`` is unchanged. An account
that could not be audited at all (its role could not be assumed) gets a set too: its gap says why.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cloudaudit.completeness import assess
from cloudaudit.compliance.evaluate import ComplianceResult
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.runflow import write_reports
from cloudaudit.spool import of_account

ACCOUNTS_DIR = "accounts"
"""The folder of ``<output-dir>`` holding one folder per account."""
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

Judge = Callable[[FindingsDocument], Sequence[ComplianceResult]]
"""The compliance results the HTML overview of one account's report shows."""


def account_dir_name(account: str) -> str:
    """The account id as a folder name; an id that is not a plain name (a path separator, ``..``,
    control characters: account data is untrusted) becomes ``account-<hash>``."""
    if _SAFE_NAME.fullmatch(account) and ".." not in account:
        return account
    return "account-" + hashlib.sha256(account.encode()).hexdigest()[:16]


def accounts_of(doc: FindingsDocument) -> list[str]:
    """The accounts of a run: those audited, then those with gaps only (not audited), in run order."""
    return list(dict.fromkeys([*doc.run.accounts, *(g.account for g in doc.coverage if g.account)]))


def account_document(doc: FindingsDocument, account: str, asset_ids: Iterable[str]) -> FindingsDocument:
    """``doc`` reduced to one account: its findings, gaps, surface (endpoints of its ``asset_ids``),
    and a run whose completeness is judged on its gaps alone."""
    mine = frozenset(asset_ids)
    coverage = [g for g in doc.coverage if g.account == account]
    judged = assess(coverage)
    whole_run = set(assess(doc.coverage).not_read)
    run_wide = [line for line in doc.run.not_read if line not in whole_run]  # e.g. the exposure stage
    run = doc.run.model_copy(
        update={
            "accounts": [account] if account in doc.run.accounts else [],
            "incomplete": judged.incomplete or doc.run.interrupted,
            "interrupted": judged.interrupted or doc.run.interrupted,
            "not_read": [*judged.not_read, *run_wide],
        }
    )
    return doc.model_copy(
        update={
            "run": run,
            "findings": of_account(doc.findings, account),
            "coverage": coverage,
            "surface": [e for e in doc.surface if mine.intersection(e.resource_ids)],
        }
    )


def account_inventory(inventory: Inventory, account: str) -> Inventory:
    """The inventory of one account (its assets and gaps)."""
    scope = inventory.scope
    return Inventory(
        scope=ScanScope(
            provider=scope.provider,
            providers=scope.providers,
            accounts=(account,) if account in scope.accounts else (),
            regions=scope.regions,
            started=scope.started,
            finished=scope.finished,
        ),
        assets=tuple(a for a in inventory.assets if a.account == account),
        gaps=tuple(g for g in inventory.gaps if g.account == account),
    )


def write_account_reports(
    doc: FindingsDocument,
    inventory: Inventory | None,
    output_dir: Path,
    formats: Sequence[str],
    judge: Judge = lambda _doc: (),
) -> list[Path]:
    """One report set per account under ``output_dir/accounts/`` when the run covers more than one
    account; nothing otherwise. Returns the files written."""
    accounts = accounts_of(doc)
    if len(accounts) < 2:
        return []
    asset_ids: dict[str, list[str]] = defaultdict(list)
    for asset in inventory.assets if inventory is not None else ():
        asset_ids[asset.account].append(asset.id)
    written: list[Path] = []
    for account in accounts:
        part = account_document(doc, account, asset_ids[account])
        part_inventory = account_inventory(inventory, account) if inventory is not None else None
        folder = output_dir / ACCOUNTS_DIR / account_dir_name(account)
        written += write_reports(part, part_inventory, folder, formats, compliance=judge(part))
    return written
