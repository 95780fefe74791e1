"""One method per HubSpot endpoint the extractor uses, each a call of the SDK's API class through the
retry layer, answering parsed JSON (orjson) from the raw response."""

from __future__ import annotations

from typing import Any

from onefunnel.hubspot import settings
from onefunnel.hubspot.client import Credentials, SdkApis
from onefunnel.hubspot.ratebudget import GENERAL, PRIORITY_CHAIN, PRIORITY_SIDE, SEARCH
from onefunnel.hubspot.retry import CallStats, Response, Retrier

RAW = {"_preload_content": False, "_request_timeout": settings.REQUEST_TIMEOUT}


class HubSpotApi:
    def __init__(self, credentials: Credentials, retrier: Retrier, *, pool_size: int = 8) -> None:
        self.credentials = credentials
        self.retrier = retrier
        self.sdk = SdkApis(credentials, pool_size=pool_size)

    # -- CRM objects -------------------------------------------------------------------------------

    def list_page(
        self,
        object_type: str,
        *,
        after: str | None,
        properties: list[str],
        archived: bool = False,
        limit: int = settings.LIST_PAGE_LIMIT,
        properties_with_history: list[str] | None = None,
        priority: tuple = PRIORITY_CHAIN,
        stats: CallStats | None = None,
    ) -> dict:
        kwargs: dict[str, Any] = {"limit": limit, "archived": archived, **RAW}
        if after:
            kwargs["after"] = after
        if properties:
            kwargs["properties"] = properties
        if properties_with_history:
            kwargs["properties_with_history"] = properties_with_history
        what = f"{object_type}: list{' archived' if archived else ''} page"
        return self._call(
            lambda: self.sdk.objects_basic.get_page(object_type, **kwargs), what, after, priority, stats
        )

    def batch_read(
        self,
        object_type: str,
        ids: list[str],
        *,
        properties: list[str],
        properties_with_history: list[str] | None = None,
        archived: bool = False,
        priority: tuple = PRIORITY_SIDE,
        stats: CallStats | None = None,
    ) -> dict:
        body: dict[str, Any] = {"inputs": [{"id": str(i)} for i in ids], "properties": properties}
        if properties_with_history:
            body["propertiesWithHistory"] = properties_with_history
        what = f"{object_type}: batch read of {len(ids)} ids"
        return self._call(
            lambda: self.sdk.objects_batch.read(object_type, body, archived=archived, **RAW),
            what,
            f"ids {ids[0]}..{ids[-1]}" if ids else None,
            priority,
            stats,
        )

    def search(
        self,
        object_type: str,
        request: dict,
        *,
        cursor: object,
        priority: tuple = PRIORITY_CHAIN,
        stats: CallStats | None = None,
    ) -> dict:
        return self._call(
            lambda: self.sdk.objects_search.do_search(object_type, request, **RAW),
            f"{object_type}: search",
            cursor,
            priority,
            stats,
            kind=SEARCH,
        )

    # -- reference data ------------------------------------------------------------------------------

    def properties(self, object_type: str, *, stats: CallStats | None = None) -> dict:
        return self._call(
            lambda: self.sdk.properties.get_all(object_type, archived=False, **RAW),
            f"{object_type}: property definitions",
            None,
            PRIORITY_CHAIN,
            stats,
        )

    def owners_page(self, *, after: str | None, archived: bool, stats: CallStats | None = None) -> dict:
        kwargs: dict[str, Any] = {"limit": settings.OWNERS_PAGE_LIMIT, "archived": archived, **RAW}
        if after:
            kwargs["after"] = after
        return self._call(
            lambda: self.sdk.owners.get_page(**kwargs), "owners: page", after, PRIORITY_CHAIN, stats
        )

    def pipelines(self, object_type: str, *, stats: CallStats | None = None) -> dict:
        return self._call(
            lambda: self.sdk.pipelines.get_all(object_type, **RAW),
            f"pipelines of {object_type}",
            None,
            PRIORITY_CHAIN,
            stats,
        )

    def associations(
        self,
        from_type: str,
        to_type: str,
        inputs: list[dict],
        *,
        priority: tuple = PRIORITY_SIDE,
        stats: CallStats | None = None,
    ) -> dict:
        body = {"inputs": inputs}
        return self._call(
            lambda: self.sdk.associations_batch.get_page(from_type, to_type, body, **RAW),
            f"associations {from_type}->{to_type}: batch read of {len(inputs)} ids",
            f"ids {inputs[0]['id']}..{inputs[-1]['id']}" if inputs else None,
            priority,
            stats,
        )

    def campaigns_page(self, *, after: str | None, stats: CallStats | None = None) -> dict:
        query: list[tuple[str, Any]] = [("limit", settings.CAMPAIGNS_PAGE_LIMIT)]
        if after:
            query.append(("after", after))
        client = self.sdk.generic_api_client

        def send():
            return client.call_api(
                "/marketing/v3/campaigns",
                "GET",
                {},
                query,
                {"Accept": "application/json"},
                auth_settings=["oauth2"],
                response_types_map={},
                **RAW,
            )

        return self._call(send, "campaigns: page", after, PRIORITY_CHAIN, stats)

    # -----------------------------------------------------------------------------------------------

    def _call(
        self, send, what: str, cursor: object, priority: tuple, stats: CallStats | None, kind: str = GENERAL
    ):
        response: Response = self.retrier.call(
            send, what=what, cursor=cursor, kind=kind, priority=priority, stats=stats
        )
        return response.data if response.data is not None else {}
