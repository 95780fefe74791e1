"""Property selection and URL-length splitting."""

from __future__ import annotations

import pytest

from onefunnel.hubspot import settings
from onefunnel.hubspot.properties import (
    PropertyFilter,
    filters_from_config,
    list_url_length,
    plan_properties,
    select_properties,
)

pytestmark = pytest.mark.unit

BASE = "http://127.0.0.1:54321"


def definitions(count: int) -> list[dict]:
    return [{"name": name} for name in ("email", "lifecyclestage", "lastmodifieddate")] + [
        {"name": f"custom_property_with_a_long_internal_name_{i:04d}"} for i in range(count)
    ]


def test_few_properties_fit_in_one_list_url():
    # GIVEN an ordinary portal
    plan = plan_properties("contacts", definitions(100), BASE, None)
    # WHEN planned
    # THEN every property goes on the list request and none to the batch read
    assert plan.in_body == []
    assert set(plan.in_url) == set(plan.names)


def test_1500_properties_split_so_no_url_passes_the_limit():
    # GIVEN a portal with 1,500 custom contact properties
    plan = plan_properties("contacts", definitions(1500), BASE, None)
    # WHEN planned
    # THEN the list URL stays under the budget, the rest travels in the batch-read body, nothing is lost
    assert (
        list_url_length(BASE, "contacts", plan.in_url) <= settings.URL_LENGTH_BUDGET < settings.MAX_URL_CHARS
    )
    assert plan.in_body
    assert sorted(plan.in_url + plan.in_body) == sorted(plan.names)
    # AND the properties the extractor relies on are in the URL chunk (they key and order the pages)
    for name in settings.ESSENTIAL_PROPERTIES["contacts"]:
        assert name in plan.in_url


def test_allow_and_deny_lists_never_drop_essential_properties():
    # GIVEN an allow list of one property and a deny list matching the history property
    allow = PropertyFilter(allow=("email",), deny=("lifecycle*",))
    # WHEN selecting
    names = select_properties("contacts", definitions(5), allow)
    # THEN only email plus what the extractor needs remain (history and watermark properties included)
    assert "email" in names
    assert not any(name.startswith("custom_") for name in names)
    for name in settings.ESSENTIAL_PROPERTIES["contacts"] + settings.HISTORY_PROPERTIES["contacts"]:
        assert name in names


def test_deny_patterns_from_configuration():
    # GIVEN a configuration denying custom_* on contacts
    filters = filters_from_config({"contacts": {"deny": ["custom_*"]}})
    # WHEN selecting
    names = select_properties("contacts", definitions(5), filters["contacts"])
    # THEN the custom properties are gone
    assert names
    assert not any(name.startswith("custom_") for name in names)
