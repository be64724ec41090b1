"""The `aws` scanner: every (account, region) scope read in parallel by a bounded pool."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ClassVar

from estate.config.loading import secret_from_env
from estate.inventory.records import Event
from scanners.aws.common import ScopeContext
from scanners.aws.options import AwsOptions
from scanners.aws.scope import scan_scope
from scanners.aws.session import (
    AwsSession,
    fetch_enabled_regions,
    fetch_organization_accounts,
    transform_organization_accounts,
)
from scanners.base import ScannerOptions, SourceScanner, events_as_completed

log = logging.getLogger(__name__)


class AwsScanner(SourceScanner[AwsOptions]):
    kind: ClassVar[str] = "aws"
    Options: ClassVar[type[ScannerOptions]] = AwsOptions

    def collect(self) -> Iterator[Event]:
        """Records of each scope as it finishes; raises only if no scope can be planned."""
        session = self._session()
        session.identify()
        accounts = self._accounts(session)
        with ThreadPoolExecutor(self.options.max_workers, thread_name_prefix="aws") as pool:
            regions = self._regions(session, accounts, pool)
            futures = [
                pool.submit(
                    scan_scope,
                    session,
                    ScopeContext(account, region, self.options.link_tag),
                    self.options.services,
                    self.options.page_size,
                    self.settings.outcomes.utilisation_days,
                )
                for account in accounts
                for region in regions[account]
            ]
            yield from events_as_completed(futures)

    def _session(self) -> AwsSession:
        external_id = None
        if self.options.external_id_env:
            what = f"sources({self.source.name}).options.external_id_env"
            external_id = secret_from_env(self.options.external_id_env, what)
        return AwsSession(self.options, external_id)

    def _accounts(self, session: AwsSession) -> list[str]:
        accounts = self.options.accounts
        if accounts == "self":
            return [session.self_account]
        if accounts == "organization":
            listed = fetch_organization_accounts(session, self.options.page_size)
            active = transform_organization_accounts(listed)
            skipped = len(listed) - len(active)
            if skipped:
                log.info("%s: skipped %d inactive accounts", self.source.name, skipped)
            return active
        return list(dict.fromkeys(accounts))

    def _regions(
        self, session: AwsSession, accounts: list[str], pool: ThreadPoolExecutor
    ) -> dict[str, list[str]]:
        """Each account's regions: the configured list, or the account's own enabled regions."""
        if self.options.regions != "all":
            return {account: list(dict.fromkeys(self.options.regions)) for account in accounts}
        own = fetch_enabled_regions(session, session.self_account)
        asked: dict[str, Future[list[str]]] = {
            account: pool.submit(fetch_enabled_regions, session, account)
            for account in accounts
            if account != session.self_account
        }
        regions = {session.self_account: own}
        for account, future in asked.items():
            try:
                regions[account] = future.result()
            except Exception as exc:
                # Its scopes will fail on their own and say why; our regions name them.
                log.warning("%s: regions of account %s unread: %s", self.source.name, account, exc)
                regions[account] = own
        return {account: regions[account] for account in accounts}
