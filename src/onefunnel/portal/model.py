"""Business model of the synthetic B2B SaaS portal: who arrives, how they convert, how reps behave.

Every number that shapes the funnel lives here, so the ground truth the realism tests (and the
dashboard) look for can be read in one place. Pure data plus a few small pure functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# ---------------------------------------------------------------- lifecycle

LIFECYCLE_STAGES = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)
# Forward order for automatic ("raise") updates; `other` is a manual side exit, ranked lowest.
STAGE_RANK = {
    "other": -1,
    "subscriber": 0,
    "lead": 1,
    "marketingqualifiedlead": 2,
    "salesqualifiedlead": 3,
    "opportunity": 4,
    "customer": 5,
    "evangelist": 6,
}

LEAD_STATUSES = (
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
)

# ---------------------------------------------------------------- sources

SOURCES = (
    "DIRECT_TRAFFIC",
    "EMAIL_MARKETING",
    "OFFLINE",
    "ORGANIC_SEARCH",
    "OTHER_CAMPAIGNS",
    "PAID_SEARCH",
    "PAID_SOCIAL",
    "REFERRALS",
    "SOCIAL_MEDIA",
)
SOURCE_LABELS = {
    "DIRECT_TRAFFIC": "Direct Traffic",
    "EMAIL_MARKETING": "Email Marketing",
    "OFFLINE": "Offline Sources",
    "ORGANIC_SEARCH": "Organic Search",
    "OTHER_CAMPAIGNS": "Other Campaigns",
    "PAID_SEARCH": "Paid Search",
    "PAID_SOCIAL": "Paid Social",
    "REFERRALS": "Referrals",
    "SOCIAL_MEDIA": "Social Media",
}
# Mix of inbound (non-OFFLINE) original sources; OFFLINE is decided separately (sales-created / imports).
INBOUND_SOURCE_MIX = {
    "ORGANIC_SEARCH": 0.26,
    "PAID_SEARCH": 0.14,
    "DIRECT_TRAFFIC": 0.11,
    "REFERRALS": 0.07,
    "SOCIAL_MEDIA": 0.08,
    "PAID_SOCIAL": 0.14,
    "EMAIL_MARKETING": 0.10,
    "OTHER_CAMPAIGNS": 0.10,
}
P_OFFLINE = 0.09  # share of contacts created offline (rep in the CRM, or a list import)
P_OFFLINE_BY_SALES = 0.75  # of those, created by a sales user (the rest: marketing imports event lists)
SOURCE_DATA_1 = {
    "ORGANIC_SEARCH": ("google", "bing", "duckduckgo"),
    "PAID_SEARCH": ("google", "bing"),
    "DIRECT_TRAFFIC": ("(no value)",),
    "REFERRALS": ("g2.com", "capterra.com", "partner-portal.example.com", "medium.com"),
    "SOCIAL_MEDIA": ("LinkedIn", "Twitter", "Facebook", "YouTube"),
    "PAID_SOCIAL": ("LinkedIn", "Facebook", "Twitter"),
    "EMAIL_MARKETING": ("Monthly newsletter", "Webinar invite", "Product update"),
    "OTHER_CAMPAIGNS": ("utm_campaign=partner-webinar", "utm_campaign=podcast", "utm_campaign=events"),
    "OFFLINE": ("CRM_UI", "IMPORT", "INTEGRATION"),
}
CAMPAIGN_SOURCES = {
    "EMAIL_MARKETING": 0.85,
    "PAID_SOCIAL": 0.85,
    "PAID_SEARCH": 0.8,
    "OTHER_CAMPAIGNS": 0.8,
    "SOCIAL_MEDIA": 0.5,
    "ORGANIC_SEARCH": 0.15,
    "REFERRALS": 0.1,
    "DIRECT_TRAFFIC": 0.05,
    "OFFLINE": 0.3,
}

# Log-odds shifts. Paid social floods the top of the funnel with MQLs that sales rejects;
# referrals and paid search are few but convert. These gaps are what the lead-quality page must show.
SOURCE_MQL_SHIFT = {
    "DIRECT_TRAFFIC": 0.1,
    "EMAIL_MARKETING": -0.2,
    "OFFLINE": 0.4,
    "ORGANIC_SEARCH": 0.0,
    "OTHER_CAMPAIGNS": -0.1,
    "PAID_SEARCH": 0.3,
    "PAID_SOCIAL": 0.35,
    "REFERRALS": 0.4,
    "SOCIAL_MEDIA": -0.1,
}
SOURCE_SQL_SHIFT = {
    "DIRECT_TRAFFIC": 0.3,
    "EMAIL_MARKETING": 0.0,
    "OFFLINE": 0.8,
    "ORGANIC_SEARCH": 0.2,
    "OTHER_CAMPAIGNS": -0.3,
    "PAID_SEARCH": 0.7,
    "PAID_SOCIAL": -1.1,
    "REFERRALS": 1.1,
    "SOCIAL_MEDIA": -0.4,
}
SOURCE_WIN_SHIFT = {
    "DIRECT_TRAFFIC": 0.0,
    "EMAIL_MARKETING": 0.0,
    "OFFLINE": 0.2,
    "ORGANIC_SEARCH": 0.1,
    "OTHER_CAMPAIGNS": -0.2,
    "PAID_SEARCH": 0.2,
    "PAID_SOCIAL": -0.5,
    "REFERRALS": 0.6,
    "SOCIAL_MEDIA": -0.2,
}

# ---------------------------------------------------------------- personas, seniority, fit

PERSONAS = (
    ("persona_1", "Technical Buyer"),
    ("persona_2", "Executive Sponsor"),
    ("persona_3", "Operations Manager"),
    ("persona_4", "Student/Researcher"),
)
PERSONA_SQL_SHIFT = {"persona_1": 0.3, "persona_2": 0.5, "persona_3": 0.0, "persona_4": -2.2}

SENIORITIES = (
    ("executive", "Executive"),
    ("vp", "VP"),
    ("director", "Director"),
    ("manager", "Manager"),
    ("individual_contributor", "Individual Contributor"),
    ("student", "Student"),
)
SENIORITY_MIX = {
    "executive": 0.07,
    "vp": 0.10,
    "director": 0.17,
    "manager": 0.27,
    "individual_contributor": 0.31,
    "student": 0.08,
}
# seniority -> persona weights
PERSONA_BY_SENIORITY = {
    "executive": {"persona_2": 0.9, "persona_1": 0.1},
    "vp": {"persona_2": 0.6, "persona_1": 0.3, "persona_3": 0.1},
    "director": {"persona_1": 0.5, "persona_3": 0.4, "persona_2": 0.1},
    "manager": {"persona_3": 0.6, "persona_1": 0.4},
    "individual_contributor": {"persona_1": 0.6, "persona_3": 0.4},
    "student": {"persona_4": 1.0},
}

# Ideal customer profile: mid-market software / IT / fintech buyers at director level and up.
FIT_WEIGHTS = {"seniority": 0.45, "size": 0.30, "industry": 0.25}
SENIORITY_FIT = {
    "executive": 0.9,
    "vp": 1.0,
    "director": 0.85,
    "manager": 0.55,
    "individual_contributor": 0.3,
    "student": 0.0,
}
# (max employees inclusive, fit); first bucket that holds the company size wins
SIZE_FIT = ((10, 0.1), (50, 0.4), (200, 0.8), (1000, 1.0), (5000, 0.8), (10**9, 0.5))
NO_COMPANY_SIZE_FIT = 0.1
NO_COMPANY_INDUSTRY_FIT = 0.2

# HubSpot `industry` enum values used, with (weight in the market, ICP fit)
INDUSTRIES: dict[str, tuple[float, float]] = {
    "COMPUTER_SOFTWARE": (0.18, 1.0),
    "INFORMATION_TECHNOLOGY_AND_SERVICES": (0.14, 0.9),
    "INTERNET": (0.08, 0.85),
    "FINANCIAL_SERVICES": (0.09, 0.8),
    "MARKETING_AND_ADVERTISING": (0.07, 0.7),
    "TELECOMMUNICATIONS": (0.04, 0.6),
    "HOSPITAL_HEALTH_CARE": (0.07, 0.55),
    "MANAGEMENT_CONSULTING": (0.06, 0.5),
    "INSURANCE": (0.04, 0.6),
    "RETAIL": (0.06, 0.35),
    "MACHINERY": (0.04, 0.3),
    "LOGISTICS_AND_SUPPLY_CHAIN": (0.04, 0.4),
    "REAL_ESTATE": (0.03, 0.25),
    "HIGHER_EDUCATION": (0.03, 0.1),
    "NONPROFIT_ORGANIZATION_MANAGEMENT": (0.03, 0.15),
}
# company size buckets: (min, max employees, weight)
COMPANY_SIZES = (
    (2, 10, 0.22),
    (11, 50, 0.28),
    (51, 200, 0.22),
    (201, 1000, 0.15),
    (1001, 5000, 0.08),
    (5001, 50000, 0.05),
)


def size_fit(employees: int | None) -> float:
    if employees is None:
        return NO_COMPANY_SIZE_FIT
    for limit, fit in SIZE_FIT:
        if employees <= limit:
            return fit
    return SIZE_FIT[-1][1]


def fit_score(seniority: str | None, employees: int | None, industry: str | None) -> float:
    """Ground-truth fit in [0, 1] from properties a warehouse can see (seniority, company size, industry)."""
    sen = SENIORITY_FIT.get(seniority or "", 0.3)
    ind = INDUSTRIES[industry][1] if industry in INDUSTRIES else NO_COMPANY_INDUSTRY_FIT
    return (
        FIT_WEIGHTS["seniority"] * sen
        + FIT_WEIGHTS["size"] * size_fit(employees)
        + FIT_WEIGHTS["industry"] * ind
    )


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------- funnel probabilities and lags

P_SUBSCRIBER_EMAIL = 0.5  # EMAIL_MARKETING contacts that start as subscribers
P_SUBSCRIBER_OTHER = 0.07
P_SUBSCRIBER_TO_LEAD = 0.35
P_DIRECT_MQL = 0.12  # demo-request style forms create the contact straight at MQL (lead skipped)
P_OFFLINE_STRAIGHT_SQL = 0.4  # sales-created contacts that a rep qualifies without an MQL
P_ASSIGN_NEVER = 0.07  # MQLs never assigned an owner (the "unassigned" SLA bucket)
P_ASSIGN_LATE = 0.15  # assigned hours or days after the MQL date


def p_lead_to_mql(fit: float, intent: float, source: str) -> float:
    return sigmoid(-0.55 + 1.1 * intent + 1.6 * (fit - 0.5) + SOURCE_MQL_SHIFT[source])


def p_mql_to_sql(fit: float, intent: float, source: str, persona: str, touched_fast: bool) -> float:
    z = (
        -1.0
        + 5.0 * (fit - 0.5)
        + 0.35 * intent
        + SOURCE_SQL_SHIFT[source]
        + PERSONA_SQL_SHIFT[persona]
        + (0.25 if touched_fast else -0.15)
    )
    return sigmoid(z)


def p_sql_to_opp(fit: float, source: str) -> float:
    return sigmoid(1.1 + 2.0 * (fit - 0.5) + 0.5 * SOURCE_SQL_SHIFT[source])


def p_win(fit: float, source: str, persona: str) -> float:
    return sigmoid(-0.8 + 2.5 * (fit - 0.5) + SOURCE_WIN_SHIFT[source] + 0.5 * PERSONA_SQL_SHIFT[persona])


LAG_DAYS = {  # (median days, lognormal sigma)
    "subscriber_to_lead": (40.0, 1.0),
    "lead_to_mql": (9.0, 1.1),
    "assign_late_hours": (30.0, 0.9),
    "touch_to_sql": (6.0, 0.8),
    "touch_to_disqualify": (9.0, 0.8),
    "sql_to_opp": (8.0, 0.8),
    "deal_cycle": (42.0, 0.6),
    "attempt_gap": (1.6, 0.7),
    "customer_to_evangelist": (150.0, 0.5),
    "expansion_after_won": (240.0, 0.45),
}
P_EVANGELIST = 0.1
EXPANSION_RATE = 1.8  # expected expansion deals per won new-business deal (Poisson mean)
P_EXPANSION_WIN = 0.55

# ---------------------------------------------------------------- arrivals (growth and seasonality)

MONTHLY_GROWTH = 1.03
SEASONALITY = (1.10, 1.05, 1.10, 1.00, 1.00, 0.85, 0.72, 0.75, 1.05, 1.15, 1.10, 0.80)  # Jan..Dec
WEEKEND_FACTOR = 0.35
# hour-of-day weights in the portal time zone (forms are filled in office hours)
HOUR_WEIGHTS = (
    0.2,
    0.15,
    0.1,
    0.1,
    0.1,
    0.2,
    0.4,
    0.8,
    1.4,
    1.9,
    2.1,
    2.1,
    1.9,
    2.0,
    2.0,
    1.8,
    1.5,
    1.1,
    0.8,
    0.7,
    0.6,
    0.5,
    0.4,
    0.3,
)

CONTACTS_WITHOUT_COMPANY = 0.11  # free-mail addresses, students
P_DUPLICATE = 0.015  # persons that get a duplicate record later merged into them
P_ARCHIVE_CONTACT = 0.04  # of non-MQL contacts: deleted later (junk, GDPR requests)
P_ARCHIVE_COMPANY = 0.02
P_ARCHIVE_DEAL = 0.02
P_DUPLICATE_DEAL = 0.02  # a deal entered twice by mistake, the copy deleted within days
P_ARCHIVE_TASK = 0.03

# ---------------------------------------------------------------- deals

HOME_CURRENCY = "USD"
CURRENCIES = (("USD", 0.86, 1.0), ("EUR", 0.09, 1.08), ("GBP", 0.05, 1.27))  # code, share, rate to USD
DEAL_AMOUNT_MEDIAN = 14000.0  # new business, scaled by company size
DEAL_AMOUNT_SIGMA = 0.7
EXPANSION_AMOUNT_MEDIAN = 6000.0


# ---------------------------------------------------------------- owners and rep behaviour


@dataclass(frozen=True)
class RepArchetype:
    name: str
    median_hours: float  # median raw delay to first touch (before working-hours snapping)
    untouched_share: float  # share of assigned MQLs never touched
    cherry_picking: bool  # touches high-fit leads fast, often ignores low-fit ones


# Cycled over each sales team, so even a tiny portal has fast, slow and cherry-picking reps.
REP_ARCHETYPES = (
    RepArchetype("fast", 1.5, 0.03, False),
    RepArchetype("slow", 52.0, 0.10, False),
    RepArchetype("fast_cherry", 2.5, 0.08, True),
    RepArchetype("steady", 8.0, 0.05, False),
    RepArchetype("very_slow", 70.0, 0.22, False),
    RepArchetype("steady_cherry", 14.0, 0.12, True),
    RepArchetype("fast", 3.0, 0.04, False),
    RepArchetype("steady", 20.0, 0.08, False),
)
REP_TIME_ZONES = (
    "America/New_York",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
)
CHERRY_HIGH_FIT = 0.62  # cherry-pickers rush leads above this fit ...
CHERRY_LOW_FIT = 0.45  # ... and mostly ignore leads below this one
CHERRY_LOW_UNTOUCHED = 0.55
CHERRY_LOW_SLOWDOWN = 3.0
CHERRY_HIGH_SPEEDUP = 0.4

SALES_TEAMS = ("SDR", "Account Executives")
TEAM_NAMES = ("Marketing", "SDR", "Account Executives", "Customer Success")
