"""Optional sign-in with Streamlit's native OIDC (`st.login`), only when `[auth]` is configured in secrets.

Without an `[auth]` section the dashboard is open (demo mode) and says so in the sidebar. With one, nobody
sees a number before signing in; if Authlib (which st.login needs) is missing, the app refuses to serve
rather than fall open.
"""

from __future__ import annotations

import importlib.util

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError


def authlib_installed() -> bool:
    return importlib.util.find_spec("authlib") is not None


def login_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def require_login() -> str:
    """'demo' when no login is configured, 'signed-in' after sign-in; otherwise stops this run."""
    if not login_configured():
        st.sidebar.caption(
            "Demo mode: no sign-in is configured, so anyone who can reach this address can read it."
        )
        return "demo"
    if not authlib_installed():
        st.error(
            "Sign-in is configured (`[auth]` in secrets) but Authlib is not installed, so the dashboard "
            "cannot "
            "check who you are and stays closed. Install `Authlib>=1.3.2` (the `streamlit[auth]` extra)."
        )
        st.stop()
    if not st.user.get("is_logged_in"):
        st.title("onefunnel")
        st.write("The shared funnel numbers are for signed-in colleagues. Sign in to continue.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        st.stop()
    name = st.user.get("name") or st.user.get("email") or "you"
    st.sidebar.caption(f"Signed in as {name}")
    st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:")
    return "signed-in"
