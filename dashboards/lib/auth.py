"""Sign-in with Streamlit's OIDC login (`st.login`), turned on by an `[auth]` section of the secrets or by
ONEFUNNEL_DASHBOARD_AUTH_* variables, with an allow-list of e-mail domains.

Without sign-in settings the dashboard is open (demo mode) and says so in the sidebar. With them, nobody
sees a number before signing in; a signed-in user whose e-mail is unverified (when the provider says so) or
outside ONEFUNNEL_DASHBOARD_ALLOWED_EMAIL_DOMAINS sees a refusal and a sign-out button, nothing else.
Broken settings (a missing key, a malformed domain, no Authlib) keep the dashboard closed with a sentence
naming the problem, never open. Secret values are never shown or logged.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

ENV_PREFIX = "ONEFUNNEL_DASHBOARD_AUTH_"
DOMAINS_ENV = "ONEFUNNEL_DASHBOARD_ALLOWED_EMAIL_DOMAINS"
# Streamlit's [auth] keys for one OIDC provider, all required once sign-in is on.
REQUIRED_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
MIN_COOKIE_SECRET = 32
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SignInConfigError(ValueError):
    """The sign-in settings cannot be used as they are (the message names the setting)."""


# ----------------------------------------------------------------------------- settings (pure)
def environment_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The [auth] keys set as ONEFUNNEL_DASHBOARD_AUTH_<KEY> variables (empty values ignored)."""
    found = {}
    for key in REQUIRED_KEYS:
        value = environ.get(ENV_PREFIX + key.upper(), "").strip()
        if value:
            found[key] = value
    return found


def merged_auth_section(file_section: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """The [auth] section the dashboard signs in with: the secrets file's, each key overridden by its
    variable. Empty when neither sets anything (sign-in off). Raises SignInConfigError naming what is
    missing or wrong."""
    section = {key: value for key, value in dict(file_section).items() if value not in (None, "")}
    section.update(environment_settings(environ))
    if not section:
        return {}
    missing = [key for key in REQUIRED_KEYS if not section.get(key)]
    if missing:
        raise SignInConfigError(
            "Sign-in is partly configured: "
            + ", ".join(f"{key} ({ENV_PREFIX}{key.upper()} or [auth] {key})" for key in missing)
            + " missing."
        )
    if not str(section["redirect_uri"]).endswith("/oauth2callback"):
        raise SignInConfigError(
            "The sign-in redirect_uri must be the dashboard's address ending in /oauth2callback "
            "(e.g. https://dashboard.example.com/oauth2callback)."
        )
    if not re.match(r"^https?://", str(section["server_metadata_url"])):
        raise SignInConfigError(
            "The sign-in server_metadata_url must be the provider's http(s) address of "
            ".well-known/openid-configuration."
        )
    if len(str(section["cookie_secret"])) < MIN_COOKIE_SECRET:
        raise SignInConfigError(
            f"The sign-in cookie_secret must be at least {MIN_COOKIE_SECRET} random characters "
            "(e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    return section


def allowed_domains(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The e-mail domains allowed in (lower case), from ONEFUNNEL_DASHBOARD_ALLOWED_EMAIL_DOMAINS; empty:
    every user the provider signs in. Raises SignInConfigError naming an entry that is not a domain."""
    raw = environ.get(DOMAINS_ENV, "")
    domains = []
    for entry in raw.split(","):
        domain = entry.strip().lower().removeprefix("@")
        if not entry.strip():
            if raw.strip():
                raise SignInConfigError(
                    f"{DOMAINS_ENV} has an empty entry: {raw!r} (domains, comma-separated)."
                )
            continue
        if not DOMAIN.match(domain):
            raise SignInConfigError(
                f"{DOMAINS_ENV}: {entry.strip()!r} is not an e-mail domain "
                "(e.g. example.com; comma-separated)."
            )
        domains.append(domain)
    return tuple(dict.fromkeys(domains))


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def refusal(user: Mapping[str, Any], domains: tuple[str, ...]) -> str | None:
    """Why this signed-in user may not read the dashboard, or None when they may."""
    email = str(user.get("email") or "").strip()
    if not email:
        if not domains:
            return None
        return (
            "Your sign-in did not share an e-mail address, so the dashboard cannot tell whether your "
            "organisation may read it. Ask the provider's administrator to release the e-mail claim."
        )
    if _is_false(user.get("email_verified")):
        return (
            f"Your e-mail address {email} is not verified by the sign-in provider. Verify it, then sign in "
            "again."
        )
    domain = email.rpartition("@")[2].lower()
    if domains and domain not in domains:
        return (
            f"{email} may not read this dashboard: it is open to "
            f"{', '.join('@' + d for d in domains)} addresses only. Sign out and sign in with your work "
            "account."
        )
    return None


# ----------------------------------------------------------------------------- Streamlit
def authlib_installed() -> bool:
    return importlib.util.find_spec("authlib") is not None


def _file_auth_section() -> dict[str, Any]:
    """The [auth] section of the secrets files (st.secrets: Streamlit's own store, which its login routes
    read), {} without one."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section or {})


def configure() -> dict[str, Any]:
    """The [auth] section in force, with the variables' values put into Streamlit's secrets so its login
    routes use them. Empty: sign-in off. Raises SignInConfigError."""
    from_files = _file_auth_section()  # loads the files first: merging into an unloaded store would hide them
    section = merged_auth_section(from_files, os.environ)
    if environment_settings(os.environ) and from_files != section:
        st.secrets.merge_programmatic_secrets({"auth": section})
    return section


def _closed(message: str) -> None:
    st.title("onefunnel")
    st.error(message, icon=":material/lock:")
    st.stop()


def require_login() -> str:
    """'demo' when no sign-in is configured, 'signed-in' after an allowed sign-in; else stops this run."""
    try:
        section = configure()
        domains = allowed_domains(os.environ)
    except SignInConfigError as error:
        _closed(f"The dashboard stays closed: {error}")
    if not section:
        if domains:
            _closed(
                f"The dashboard stays closed: {DOMAINS_ENV} is set but sign-in is not configured, so it "
                'cannot tell who you are. Configure sign-in (README, "Sign-in") or unset the allow-list.'
            )
        st.sidebar.caption(
            "Demo mode: no sign-in is configured, so anyone who can reach this address can read it."
        )
        return "demo"
    if not authlib_installed():
        _closed(
            "Sign-in is configured but Authlib is not installed, so the dashboard cannot check who you are "
            "and stays closed. Install `Authlib>=1.3.2` (the `streamlit[auth]` extra)."
        )
    if not st.user.get("is_logged_in"):
        st.title("onefunnel")
        st.write("The shared funnel numbers are for signed-in colleagues. Sign in to continue.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:", key="sign_in")
        st.stop()
    user = st.user.to_dict()
    reason = refusal(user, domains)
    if reason:
        st.title("onefunnel")
        st.error(reason, icon=":material/block:")
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out_refused")
        st.stop()
    email, name = user.get("email"), user.get("name")
    who = f"{name} · {email}" if name and email else email or name or user.get("sub")
    st.sidebar.caption(f"Signed in as {who}")
    st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
    return "signed-in"
