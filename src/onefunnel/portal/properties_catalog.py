"""Property definitions of the synthetic portal (HubSpot /crm/v3/properties shape), custom ones included.

Every property the generator writes on any object has a definition here; a test checks that.
Custom contact properties: a fixed list of descriptive ones (some genuinely used), padded with
generated sparse ones (`acme_field_0061`, ...) when a portal asks for hundreds or thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onefunnel.portal import model
from onefunnel.portal.store import iso_ms

if TYPE_CHECKING:
    from onefunnel.portal.gen_lifecycle import LifecycleProfile

DealStages = list[tuple[str, str]]  # (stage id, label) of one pipeline


@dataclass(frozen=True)
class CustomProp:
    name: str
    label: str
    type: str  # string | number | enumeration | datetime | date | bool
    field_type: str
    options: tuple[str, ...] = ()
    density: float = 0.0  # share of contacts that get a value at creation ("used" props are dense)


_TERRITORIES = ("NA-East", "NA-Central", "NA-West", "EMEA-North", "EMEA-South", "APAC", "LATAM")

# Descriptive custom contact properties; the first ones carry real values, the tail is sparse.
_DESCRIPTIVE: tuple[CustomProp, ...] = (
    CustomProp("acme_territory", "Sales territory", "enumeration", "select", _TERRITORIES, 0.6),
    CustomProp("acme_territory_assigned_date", "Territory assigned", "datetime", "date", (), 0.0),
    CustomProp(
        "acme_product_interest",
        "Product interest",
        "enumeration",
        "checkbox",
        ("reporting", "forecasting", "data_sync", "api", "enterprise_security"),
        0.55,
    ),
    CustomProp("acme_team_size", "Team size (self-reported)", "number", "number", (), 0.45),
    CustomProp(
        "acme_current_tool",
        "Current tool",
        "enumeration",
        "select",
        ("spreadsheets", "salesforce_reports", "looker", "tableau", "in_house", "none"),
        0.4,
    ),
    CustomProp("acme_trial_started", "Trial started", "bool", "booleancheckbox", ("true", "false"), 0.2),
    CustomProp("acme_trial_start_date", "Trial start date", "date", "date", (), 0.15),
    CustomProp(
        "acme_newsletter_topics",
        "Newsletter topics",
        "enumeration",
        "checkbox",
        ("revops", "analytics", "product_news", "events"),
        0.3,
    ),
    CustomProp("acme_event_attended", "Last event attended", "string", "text", (), 0.12),
    CustomProp("acme_nps_score", "NPS score", "number", "number", (), 0.05),
    CustomProp(
        "acme_budget_range",
        "Budget range",
        "enumeration",
        "select",
        ("lt_10k", "10k_50k", "50k_100k", "gt_100k", "unknown"),
        0.25,
    ),
    CustomProp(
        "acme_use_case",
        "Primary use case",
        "enumeration",
        "radio",
        ("pipeline_reporting", "marketing_attribution", "forecasting", "board_reporting", "other"),
        0.35,
    ),
    CustomProp("acme_gdpr_region", "GDPR region", "bool", "booleancheckbox", ("true", "false"), 0.3),
    CustomProp("acme_partner_referral_code", "Partner referral code", "string", "text", (), 0.03),
    CustomProp("acme_lead_score_legacy", "Legacy lead score", "number", "number", (), 0.2),
    CustomProp(
        "acme_data_warehouse",
        "Data warehouse",
        "enumeration",
        "select",
        ("snowflake", "bigquery", "redshift", "databricks", "postgres", "none"),
        0.18,
    ),
    CustomProp("acme_crm_migration_date", "CRM migration date", "date", "date", (), 0.02),
    CustomProp(
        "acme_preferred_language",
        "Preferred language",
        "enumeration",
        "select",
        ("en", "de", "fr", "es", "pt", "ja"),
        0.25,
    ),
    CustomProp("acme_webinar_count", "Webinars attended", "number", "number", (), 0.08),
    CustomProp("acme_linkedin_url", "LinkedIn profile", "string", "text", (), 0.1),
)
_SPARSE_STEMS = (
    ("billing_contact", "bool"),
    ("procurement_stage", "enumeration"),
    ("security_review_date", "date"),
    ("sso_required", "bool"),
    ("region_manager", "string"),
    ("renewal_owner_note", "string"),
    ("integration_count", "number"),
    ("survey_2023_answer", "enumeration"),
    ("legacy_id", "string"),
    ("event_badge_scan_date", "datetime"),
    ("seat_estimate", "number"),
    ("hq_timezone", "enumeration"),
    ("beta_program", "bool"),
    ("champion_flag", "bool"),
    ("customer_story_consent", "bool"),
    ("sales_play", "enumeration"),
    ("account_plan_link", "string"),
    ("training_completed_date", "date"),
    ("support_tier", "enumeration"),
    ("churn_risk", "enumeration"),
    ("last_qbr_date", "date"),
    ("referral_source_detail", "string"),
    ("competitor_mentioned", "enumeration"),
    ("implementation_partner", "string"),
    ("data_residency", "enumeration"),
    ("contract_signer", "bool"),
    ("onboarding_cohort", "string"),
    ("executive_sponsor_name", "string"),
    ("community_member", "bool"),
    ("certification_level", "enumeration"),
    ("product_feedback_score", "number"),
    ("marketing_segment", "enumeration"),
    ("abm_tier", "enumeration"),
    ("intent_topic", "string"),
    ("last_webinar_date", "datetime"),
    ("podcast_listener", "bool"),
    ("swag_sent", "bool"),
    ("import_batch", "string"),
    ("old_owner_email", "string"),
    ("dedupe_key", "string"),
)
_FIELD_TYPES = {
    "string": "text",
    "number": "number",
    "enumeration": "select",
    "datetime": "date",
    "date": "date",
    "bool": "booleancheckbox",
}
_GENERIC_OPTIONS = ("option_a", "option_b", "option_c", "option_d")

BURST_PROPERTY = "acme_territory"
BURST_DATE_PROPERTY = "acme_territory_assigned_date"


def custom_contact_properties(count: int) -> list[CustomProp]:
    """The first `count` custom contact properties (at least the two the month-end workflow writes)."""
    count = max(count, 2)
    props = list(_DESCRIPTIVE[:count])
    i = len(props)
    while len(props) < count:
        stem, typ = _SPARSE_STEMS[(i - len(_DESCRIPTIVE)) % len(_SPARSE_STEMS)]
        name = f"acme_{stem}" if i - len(_DESCRIPTIVE) < len(_SPARSE_STEMS) else f"acme_field_{i + 1:04d}"
        options = ("true", "false") if typ == "bool" else (_GENERIC_OPTIONS if typ == "enumeration" else ())
        label = name.removeprefix("acme_").replace("_", " ").capitalize()
        props.append(CustomProp(name, label, typ, _FIELD_TYPES[typ], options, 0.0))
        i += 1
    return props


# ---------------------------------------------------------------- standard properties
# (name, label, type, fieldType, groupName, options as ((value, label), ...) or None, calculated)
Std = tuple[str, str, str, str, str, tuple[tuple[str, str], ...] | None, bool]

_BOOL_OPTIONS = (("true", "Yes"), ("false", "No"))
_LEGAL_BASIS = (
    ("Legitimate interest – prospect/lead", "Legitimate interest – prospect/lead"),
    ("Legitimate interest – existing customer", "Legitimate interest – existing customer"),
    ("Freely given consent from contact", "Freely given consent from contact"),
    ("Performance of a contract", "Performance of a contract"),
    ("Not applicable", "Not applicable"),
)


def _contact_standard() -> list[Std]:
    info, analytics, conv, email, sales = (
        "contactinformation",
        "analyticsinformation",
        "conversioninformation",
        "emailinformation",
        "sales_properties",
    )
    stages = tuple(model.LIFECYCLE_STAGES)
    sources = tuple((s, model.SOURCE_LABELS[s]) for s in model.SOURCES)
    props: list[Std] = [
        ("email", "Email", "string", "text", info, None, False),
        ("firstname", "First Name", "string", "text", info, None, False),
        ("lastname", "Last Name", "string", "text", info, None, False),
        ("jobtitle", "Job Title", "string", "text", info, None, False),
        ("hs_seniority", "Seniority", "enumeration", "select", info, tuple(model.SENIORITIES), False),
        ("hs_persona", "Persona", "enumeration", "radio", info, tuple(model.PERSONAS), False),
        ("country", "Country/Region", "string", "text", info, None, False),
        ("city", "City", "string", "text", info, None, False),
        ("zip", "Postal Code", "string", "text", info, None, False),
        ("phone", "Phone Number", "string", "phonenumber", info, None, False),
        ("company", "Company Name", "string", "text", info, None, False),
        ("associatedcompanyid", "Primary Associated Company ID", "number", "number", info, None, False),
        ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", info, stages, False),
        ("hs_lead_status", "Lead Status", "enumeration", "radio", sales, tuple(model.LEAD_STATUSES), False),
        ("hubspot_owner_id", "Contact owner", "enumeration", "select", sales, None, False),
        ("hubspot_owner_assigneddate", "Owner Assigned Date", "datetime", "date", sales, None, True),
        ("hs_created_by_user_id", "Created by user ID", "number", "number", info, None, True),
        ("createdate", "Create Date", "datetime", "date", info, None, False),
        ("lastmodifieddate", "Last Modified Date", "datetime", "date", info, None, True),
        ("hs_object_id", "Record ID", "number", "number", info, None, True),
        ("hs_analytics_source", "Original Source", "enumeration", "select", analytics, sources, True),
        (
            "hs_analytics_source_data_1",
            "Original Source Drill-Down 1",
            "string",
            "text",
            analytics,
            None,
            True,
        ),
        ("hs_latest_source", "Latest Traffic Source", "enumeration", "select", analytics, sources, True),
        (
            "hs_latest_source_data_1",
            "Latest Traffic Source Drill-Down 1",
            "string",
            "text",
            analytics,
            None,
            True,
        ),
        ("hs_analytics_num_page_views", "Number of Pageviews", "number", "number", analytics, None, True),
        ("hs_analytics_num_visits", "Number of Sessions", "number", "number", analytics, None, True),
        (
            "hs_analytics_first_visit_timestamp",
            "Time of First Session",
            "datetime",
            "date",
            analytics,
            None,
            True,
        ),
        (
            "hs_analytics_last_visit_timestamp",
            "Time of Last Session",
            "datetime",
            "date",
            analytics,
            None,
            True,
        ),
        (
            "hs_analytics_first_touch_converting_campaign",
            "First Touch Converting Campaign",
            "string",
            "text",
            analytics,
            None,
            True,
        ),
        (
            "hs_analytics_last_touch_converting_campaign",
            "Last Touch Converting Campaign",
            "string",
            "text",
            analytics,
            None,
            True,
        ),
        ("num_conversion_events", "Number of Form Submissions", "number", "number", conv, None, True),
        ("first_conversion_date", "First Conversion Date", "datetime", "date", conv, None, True),
        ("first_conversion_event_name", "First Conversion", "string", "text", conv, None, True),
        ("recent_conversion_date", "Recent Conversion Date", "datetime", "date", conv, None, True),
        ("recent_conversion_event_name", "Recent Conversion", "string", "text", conv, None, True),
        ("hs_email_click", "Marketing emails clicked", "number", "number", email, None, True),
        ("hs_email_open", "Marketing emails opened", "number", "number", email, None, True),
        (
            "hs_email_first_click_date",
            "First marketing email click date",
            "datetime",
            "date",
            email,
            None,
            True,
        ),
        (
            "hs_email_last_click_date",
            "Last marketing email click date",
            "datetime",
            "date",
            email,
            None,
            True,
        ),
        (
            "hs_email_optout",
            "Unsubscribed from all email",
            "enumeration",
            "booleancheckbox",
            email,
            _BOOL_OPTIONS,
            False,
        ),
        (
            "hs_legal_basis",
            "Legal basis for processing contact's data",
            "enumeration",
            "checkbox",
            info,
            _LEGAL_BASIS,
            False,
        ),
        ("hs_merged_object_ids", "Merged Contact IDs", "enumeration", "checkbox", info, None, True),
        ("hs_additional_emails", "Additional email addresses", "enumeration", "checkbox", info, None, True),
    ]
    for value, label in model.LIFECYCLE_STAGES:
        props.append(
            (
                f"hs_lifecyclestage_{value}_date",
                f"Became a {label} Date",
                "datetime",
                "date",
                info,
                None,
                True,
            )
        )
    return props


def _company_standard() -> list[Std]:
    info = "companyinformation"
    industries = tuple((v, v.replace("_", " ").title()) for v in model.INDUSTRIES)
    props: list[Std] = [
        ("name", "Company name", "string", "text", info, None, False),
        ("domain", "Company Domain Name", "string", "text", info, None, False),
        ("website", "Website URL", "string", "text", info, None, False),
        ("industry", "Industry", "enumeration", "select", info, industries, False),
        ("numberofemployees", "Number of Employees", "number", "number", info, None, False),
        ("annualrevenue", "Annual Revenue", "number", "number", info, None, False),
        ("country", "Country/Region", "string", "text", info, None, False),
        ("city", "City", "string", "text", info, None, False),
        ("phone", "Phone Number", "string", "phonenumber", info, None, False),
        (
            "lifecyclestage",
            "Lifecycle Stage",
            "enumeration",
            "radio",
            info,
            tuple(model.LIFECYCLE_STAGES),
            False,
        ),
        ("hubspot_owner_id", "Company owner", "enumeration", "select", info, None, False),
        ("createdate", "Create Date", "datetime", "date", info, None, False),
        ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", info, None, True),
        ("hs_object_id", "Record ID", "number", "number", info, None, True),
        (
            "acme_account_tier",
            "Account tier",
            "enumeration",
            "select",
            info,
            (("tier_1", "Tier 1"), ("tier_2", "Tier 2"), ("tier_3", "Tier 3")),
            False,
        ),
    ]
    for value, label in model.LIFECYCLE_STAGES:
        props.append(
            (
                f"hs_lifecyclestage_{value}_date",
                f"Became a {label} Date",
                "datetime",
                "date",
                info,
                None,
                True,
            )
        )
    return props


def _deal_standard(pipelines: dict[str, DealStages]) -> list[Std]:
    info = "dealinformation"
    stage_options = tuple((sid, label) for stages in pipelines.values() for sid, label in stages)
    props: list[Std] = [
        ("dealname", "Deal Name", "string", "text", info, None, False),
        ("pipeline", "Pipeline", "enumeration", "select", info, None, False),
        ("dealstage", "Deal Stage", "enumeration", "radio", info, stage_options, False),
        ("amount", "Amount", "number", "number", info, None, False),
        ("amount_in_home_currency", "Amount in company currency", "number", "number", info, None, True),
        (
            "deal_currency_code",
            "Currency",
            "enumeration",
            "select",
            info,
            tuple((code, code) for code, _, _ in model.CURRENCIES),
            False,
        ),
        ("closedate", "Close Date", "datetime", "date", info, None, False),
        ("createdate", "Create Date", "datetime", "date", info, None, False),
        ("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", info, None, True),
        ("hs_object_id", "Record ID", "number", "number", info, None, True),
        ("closed_lost_reason", "Closed Lost Reason", "string", "textarea", info, None, False),
        ("hubspot_owner_id", "Deal owner", "enumeration", "select", info, None, False),
        ("hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", info, _BOOL_OPTIONS, True),
        ("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", info, _BOOL_OPTIONS, True),
        ("hs_deal_stage_probability", "Deal probability", "number", "number", info, None, True),
        (
            "dealtype",
            "Deal Type",
            "enumeration",
            "radio",
            info,
            (("newbusiness", "New Business"), ("existingbusiness", "Existing Business")),
            False,
        ),
        (
            "hs_priority",
            "Priority",
            "enumeration",
            "select",
            info,
            (("low", "Low"), ("medium", "Medium"), ("high", "High")),
            False,
        ),
        (
            "acme_product_line",
            "Product line",
            "enumeration",
            "select",
            info,
            (("core", "Core"), ("analytics_plus", "Analytics Plus"), ("enterprise", "Enterprise")),
            False,
        ),
    ]
    for stages in pipelines.values():
        for sid, label in stages:
            props.append(
                (f"hs_v2_date_entered_{sid}", f'Date entered "{label}"', "datetime", "date", info, None, True)
            )
            props.append(
                (f"hs_v2_date_exited_{sid}", f'Date exited "{label}"', "datetime", "date", info, None, True)
            )
            props.append(
                (
                    f"hs_v2_latest_time_in_{sid}",
                    f'Latest time in "{label}"',
                    "number",
                    "number",
                    info,
                    None,
                    True,
                )
            )
    return props


_ENGAGEMENT_COMMON: list[Std] = [
    ("hs_timestamp", "Activity date", "datetime", "date", "engagement", None, False),
    ("hubspot_owner_id", "Activity assigned to", "enumeration", "select", "engagement", None, False),
    ("hs_createdate", "Create date", "datetime", "date", "engagement", None, True),
    ("hs_lastmodifieddate", "Last modified date", "datetime", "date", "engagement", None, True),
    ("hs_object_id", "Record ID", "number", "number", "engagement", None, True),
]
_ENGAGEMENT_SPECIFIC: dict[str, list[Std]] = {
    "calls": [
        (
            "hs_call_direction",
            "Call direction",
            "enumeration",
            "select",
            "call",
            (("INBOUND", "Inbound"), ("OUTBOUND", "Outbound")),
            False,
        ),
        (
            "hs_call_status",
            "Call status",
            "enumeration",
            "select",
            "call",
            tuple(
                (s, s.replace("_", " ").title())
                for s in (
                    "COMPLETED",
                    "NO_ANSWER",
                    "BUSY",
                    "FAILED",
                    "CANCELED",
                    "CONNECTING",
                    "QUEUED",
                    "RINGING",
                    "IN_PROGRESS",
                )
            ),
            False,
        ),
        ("hs_call_duration", "Call duration", "number", "number", "call", None, False),
        ("hs_call_title", "Call title", "string", "text", "call", None, False),
        ("hs_call_disposition", "Call outcome", "string", "text", "call", None, False),
        ("hs_call_body", "Call notes", "string", "html", "call", None, False),
    ],
    "emails": [
        (
            "hs_email_direction",
            "Email direction",
            "enumeration",
            "select",
            "email",
            (
                ("EMAIL", "Sent by owner"),
                ("INCOMING_EMAIL", "Reply from contact"),
                ("FORWARDED_EMAIL", "Forwarded"),
            ),
            False,
        ),
        ("hs_email_subject", "Email subject", "string", "text", "email", None, False),
        (
            "hs_email_status",
            "Email send status",
            "enumeration",
            "select",
            "email",
            tuple((s, s.title()) for s in ("SENT", "BOUNCED", "FAILED", "SCHEDULED", "SENDING")),
            False,
        ),
    ],
    "meetings": [
        ("hs_meeting_title", "Meeting name", "string", "text", "meeting", None, False),
        ("hs_meeting_start_time", "Start time", "datetime", "date", "meeting", None, False),
        ("hs_meeting_end_time", "End time", "datetime", "date", "meeting", None, False),
        (
            "hs_meeting_outcome",
            "Meeting outcome",
            "enumeration",
            "select",
            "meeting",
            tuple(
                (s, s.replace("_", " ").title())
                for s in ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")
            ),
            False,
        ),
    ],
    "notes": [
        ("hs_note_body", "Note body", "string", "html", "note", None, False),
    ],
    "tasks": [
        ("hs_task_subject", "Task title", "string", "text", "task", None, False),
        (
            "hs_task_status",
            "Task status",
            "enumeration",
            "select",
            "task",
            tuple(
                (s, s.replace("_", " ").title())
                for s in ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")
            ),
            False,
        ),
        (
            "hs_task_type",
            "Task type",
            "enumeration",
            "select",
            "task",
            (("CALL", "Call"), ("EMAIL", "Email"), ("TODO", "To-do")),
            False,
        ),
        (
            "hs_task_priority",
            "Priority",
            "enumeration",
            "select",
            "task",
            (("NONE", "None"), ("LOW", "Low"), ("MEDIUM", "Medium"), ("HIGH", "High")),
            False,
        ),
        ("hs_task_completion_date", "Completed at", "datetime", "date", "task", None, True),
    ],
}


def _body(std: Std, order: int, created_ms: int, *, hubspot_defined: bool = True) -> dict:
    name, label, typ, field_type, group, options, calculated = std
    return {
        "name": name,
        "label": label,
        "type": typ,
        "fieldType": field_type,
        "groupName": group,
        "description": "",
        "options": [
            {"label": lab, "value": val, "displayOrder": i, "hidden": False}
            for i, (val, lab) in enumerate(options or ())
        ],
        "displayOrder": order,
        "calculated": calculated,
        "externalOptions": False,
        "hasUniqueValue": name == "hs_object_id",
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": calculated,
        },
        "formField": not calculated and group in ("contactinformation", "companyinformation"),
        "createdAt": iso_ms(created_ms),
        "updatedAt": iso_ms(created_ms),
        "archived": False,
    }


def _with_lifecycle(props: list[Std], lifecycle: LifecycleProfile | None) -> list[Std]:
    """A customised portal's `lifecyclestage` options, plus its date-entered / date-exited properties.

    HubSpot-defined `hs_lifecyclestage_<value>_date` properties stay (a removed default stage's too:
    HubSpot keeps its default properties); every stage of the portal, custom ones included, has
    `hs_v2_date_entered_<value>` and `hs_v2_date_exited_<value>`.
    """
    if lifecycle is None:
        return props
    group = props[0][4]
    out = [(*std[:5], lifecycle.options(), *std[6:]) if std[0] == "lifecyclestage" else std for std in props]
    for value, label in lifecycle.options():
        pipeline_label = f"{label} (Lifecycle Stage Pipeline)"
        out.append(
            (
                f"hs_v2_date_entered_{value}",
                f'Date entered "{pipeline_label}"',
                "datetime",
                "date",
                group,
                None,
                True,
            )
        )
        out.append(
            (
                f"hs_v2_date_exited_{value}",
                f'Date exited "{pipeline_label}"',
                "datetime",
                "date",
                group,
                None,
                True,
            )
        )
    return out


def build_definitions(
    custom: list[CustomProp],
    pipelines: dict[str, DealStages],
    created_ms: int,
    *,
    lifecycle: LifecycleProfile | None = None,
) -> list[tuple[str, str, dict]]:
    """All property definitions as (object_type, name, body); created_ms anchors createdAt/updatedAt.

    lifecycle: a customised portal's lifecycle stages (None: HubSpot's defaults).
    """
    out: list[tuple[str, str, dict]] = []
    for i, std in enumerate(_with_lifecycle(_contact_standard(), lifecycle)):
        out.append(("contacts", std[0], _body(std, i, created_ms)))
    for i, cp in enumerate(custom):
        std = (
            cp.name,
            cp.label,
            cp.type,
            cp.field_type,
            "acme_custom",
            tuple((o, o.replace("_", " ").capitalize()) for o in cp.options) or None,
            False,
        )
        body = _body(std, -1, created_ms + (i + 1) * 3_600_000, hubspot_defined=False)
        body["description"] = "Custom property of the ACME team."
        body["formField"] = cp.density > 0
        out.append(("contacts", cp.name, body))
    for i, std in enumerate(_with_lifecycle(_company_standard(), lifecycle)):
        out.append(
            ("companies", std[0], _body(std, i, created_ms, hubspot_defined=not std[0].startswith("acme_")))
        )
    for i, std in enumerate(_deal_standard(pipelines)):
        out.append(
            ("deals", std[0], _body(std, i, created_ms, hubspot_defined=not std[0].startswith("acme_")))
        )
    for etype, specific in _ENGAGEMENT_SPECIFIC.items():
        for i, std in enumerate(_ENGAGEMENT_COMMON + specific):
            out.append((etype, std[0], _body(std, i, created_ms)))
    if lifecycle is not None and lifecycle.leads:
        from onefunnel.portal.gen_leads import LEADS, property_standards

        for i, std in enumerate(property_standards()):
            out.append((LEADS, std[0], _body(std, i, created_ms)))
    return out
