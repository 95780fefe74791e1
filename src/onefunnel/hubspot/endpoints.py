"""One method per HubSpot endpoint the extractor uses, each a call of the official SDK's generated ApiClient
(`call_api`, raw response) on the path of the configured API version (paths.py), through the retry layer,
answering parsed JSON (orjson)."""

from __future__ import annotations

from typing import Any

from onefunnel.hubspot import settings
from onefunnel.hubspot.client import Credentials, SdkApis
from onefunnel.hubspot.paths import ApiPaths, paths_for, resolve_api_version
from onefunnel.hubspot.ratebudget import GENERAL, PRIORITY_CHAIN, PRIORITY_SIDE, SEARCH
from onefunnel.hubspot.retry import CallStats, Response, Retrier

RAW = {"_preload_content": False, "_request_timeout": settings.REQUEST_TIMEOUT}
# Repeated query parameters (`properties=a&properties=b`), as the SDK's generated classes send them.
MULTI = {"properties": "multi", "propertiesWithHistory": "multi", "associations": "multi"}


class HubSpotApi:
    def __init__(
        self,
        credentials: Credentials,
        retrier: Retrier,
        *,
        pool_size: int = 8,
        api_version: str | None = None,
    ) -> None:
        self.credentials = credentials
        self.retrier = retrier
        self.sdk = SdkApis(credentials, pool_size=pool_size)
        self.api_version = resolve_api_version(api_version, credentials.api_version)
        self.paths: ApiPaths = paths_for(self.api_version)

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
        what = f"{object_type}: list{' archived' if archived else ''} page"
        return self._call(
            lambda: self.send_list_page(
                object_type,
                after=after,
                properties=properties,
                archived=archived,
                limit=limit,
                properties_with_history=properties_with_history,
            ),
            what,
            after,
            priority,
            stats,
            endpoint=f"GET {self.paths.objects_list}",
        )

    def send_list_page(
        self,
        object_type: str,
        *,
        after: str | None,
        properties: list[str],
        archived: bool = False,
        limit: int = settings.LIST_PAGE_LIMIT,
        properties_with_history: list[str] | None = None,
    ):
        """One list request, no retry layer: the raw urllib3 response (also used by the parse benchmark)."""
        query: list[tuple[str, Any]] = [("limit", limit)]
        if after:
            query.append(("after", after))
        if properties:
            query.append(("properties", properties))
        if properties_with_history:
            query.append(("propertiesWithHistory", properties_with_history))
        query.append(("archived", archived))
        return self._send("GET", self.paths.objects_list, {"objectType": object_type}, query)

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
        path = self.paths.objects_batch_read
        return self._call(
            lambda: self._send(
                "POST", path, {"objectType": object_type}, [("archived", archived)], body=body
            ),
            what,
            f"ids {ids[0]}..{ids[-1]}" if ids else None,
            priority,
            stats,
            endpoint=f"POST {path}",
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
        path = self.paths.objects_search
        return self._call(
            lambda: self._send("POST", path, {"objectType": object_type}, [], body=request),
            f"{object_type}: search",
            cursor,
            priority,
            stats,
            kind=SEARCH,
            endpoint=f"POST {path}",
        )

    # -- reference data ------------------------------------------------------------------------------

    def properties(self, object_type: str, *, stats: CallStats | None = None) -> dict:
        path = self.paths.properties
        return self._call(
            lambda: self._send("GET", path, {"objectType": object_type}, [("archived", False)]),
            f"{object_type}: property definitions",
            None,
            PRIORITY_CHAIN,
            stats,
            endpoint=f"GET {path}",
        )

    def owners_page(self, *, after: str | None, archived: bool, stats: CallStats | None = None) -> dict:
        query: list[tuple[str, Any]] = [("limit", settings.OWNERS_PAGE_LIMIT)]
        if after:
            query.append(("after", after))
        query.append(("archived", archived))
        path = self.paths.owners
        return self._call(
            lambda: self._send("GET", path, {}, query),
            "owners: page",
            after,
            PRIORITY_CHAIN,
            stats,
            endpoint=f"GET {path}",
        )

    def pipelines(self, object_type: str, *, stats: CallStats | None = None) -> dict:
        path = self.paths.pipelines
        return self._call(
            lambda: self._send("GET", path, {"objectType": object_type}, []),
            f"pipelines of {object_type}",
            None,
            PRIORITY_CHAIN,
            stats,
            endpoint=f"GET {path}",
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
        path = self.paths.associations_batch_read
        params = {"fromObjectType": from_type, "toObjectType": to_type}
        return self._call(
            lambda: self._send("POST", path, params, [], body={"inputs": inputs}),
            f"associations {from_type}->{to_type}: batch read of {len(inputs)} ids",
            f"ids {inputs[0]['id']}..{inputs[-1]['id']}" if inputs else None,
            priority,
            stats,
            endpoint=f"POST {path}",
        )

    def campaigns_page(self, *, after: str | None, stats: CallStats | None = None) -> dict:
        query: list[tuple[str, Any]] = [("limit", settings.CAMPAIGNS_PAGE_LIMIT)]
        if after:
            query.append(("after", after))
        path = self.paths.campaigns
        return self._call(
            lambda: self._send("GET", path, {}, query),
            "campaigns: page",
            after,
            PRIORITY_CHAIN,
            stats,
            endpoint=f"GET {path}",
        )

    def account_details(self, *, stats: CallStats | None = None) -> dict:
        """The account's details (portalId, uiDomain, dataHostingLocation, timeZone, companyCurrency ...).
        SDK 12 has no account-info class: the generic ApiClient call, as for every path here."""
        path = self.paths.account_details
        return self._call(
            lambda: self._send("GET", path, {}, []),
            "account details",
            None,
            PRIORITY_CHAIN,
            stats,
            endpoint=f"GET {path}",
        )

    # -----------------------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        path_params: dict[str, str],
        query: list[tuple[str, Any]],
        body: dict | None = None,
    ):
        """One request through the SDK's ApiClient (host, bearer auth, pool, Retry(0)); the raw response."""
        timeline = self.retrier.budget.timeline
        if timeline is not None:
            timeline.path(f"{method} {path}")
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.sdk.api_client.call_api(
            path,
            method,
            path_params,
            query,
            headers,
            body=body,
            auth_settings=["oauth2"],
            response_types_map={},
            collection_formats=MULTI,
            **RAW,
        )

    def _call(
        self,
        send,
        what: str,
        cursor: object,
        priority: tuple,
        stats: CallStats | None,
        kind: str = GENERAL,
        endpoint: str | None = None,
    ):
        response: Response = self.retrier.call(
            send, what=what, cursor=cursor, kind=kind, priority=priority, stats=stats, endpoint=endpoint
        )
        return response.data if response.data is not None else {}
