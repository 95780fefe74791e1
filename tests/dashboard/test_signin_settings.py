"""Sign-in and Streamlit settings without a server: where the [auth] settings come from and what is wrong
with them, the e-mail domain allow-list, who is refused and why, and the repo's .streamlit/config.toml on the
dashboard's command line."""

from __future__ import annotations

import re

import pytest
from dashboards.lib import auth

GOOD = {
    "redirect_uri": "https://dash.example.com/oauth2callback",
    "cookie_secret": "c" * 40,
    "client_id": "onefunnel",
    "client_secret": "s3cret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}


def env_of(section: dict) -> dict:
    return {auth.ENV_PREFIX + key.upper(): value for key, value in section.items()}


def test_no_settings_anywhere_means_sign_in_is_off():
    assert auth.merged_auth_section({}, {}) == {}


def test_variables_alone_turn_sign_in_on():
    assert auth.merged_auth_section({}, env_of(GOOD)) == GOOD


def test_a_variable_overrides_the_secrets_file_key_by_key():
    # GIVEN a secrets file with every key and one variable for the client secret
    section = auth.merged_auth_section(GOOD, {auth.ENV_PREFIX + "CLIENT_SECRET": "from-env"})
    # THEN the variable wins for that key, the file gives the rest
    assert section == {**GOOD, "client_secret": "from-env"}


def test_partly_configured_sign_in_names_every_missing_key_and_its_variable():
    partial = {key: GOOD[key] for key in ("client_id", "redirect_uri")}
    with pytest.raises(auth.SignInConfigError) as error:
        auth.merged_auth_section({}, env_of(partial))
    message = str(error.value)
    for key in ("cookie_secret", "client_secret", "server_metadata_url"):
        assert f"{key} ({auth.ENV_PREFIX}{key.upper()} or [auth] {key})" in message
    assert "client_id (" not in message


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("redirect_uri", "https://dash.example.com/", "ending in /oauth2callback"),
        ("server_metadata_url", "id.example.com/.well-known/openid-configuration", "http(s) address"),
        ("cookie_secret", "short", "at least 32 random characters"),
    ],
)
def test_a_malformed_setting_is_named(key, value, words):
    with pytest.raises(auth.SignInConfigError, match=key) as error:
        auth.merged_auth_section({**GOOD, key: value}, {})
    assert words in str(error.value)
    assert value not in str(error.value) or key != "cookie_secret"  # a secret is never echoed


def test_allowed_domains_are_lower_cased_trimmed_and_deduplicated():
    environ = {auth.DOMAINS_ENV: " Example.com, @example.org,example.com "}
    assert auth.allowed_domains(environ) == ("example.com", "example.org")
    assert auth.allowed_domains({}) == ()


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("example.com, ana@example.com", "'ana@example.com'"),
        ("example", "'example'"),
        ("example.com,,x.org", ""),
    ],
)
def test_an_allow_list_entry_that_is_not_a_domain_is_named(raw, named):
    with pytest.raises(auth.SignInConfigError, match=auth.DOMAINS_ENV) as error:
        auth.allowed_domains({auth.DOMAINS_ENV: raw})
    assert named in str(error.value)


def test_users_of_allowed_domains_are_let_in_others_refused_with_the_allowed_domains_named():
    domains = ("example.com", "example.org")
    assert auth.refusal({"email": "Ana@Example.COM", "email_verified": True}, domains) is None
    reason = auth.refusal({"email": "otto@elsewhere.org", "email_verified": True}, domains)
    assert reason is not None
    assert "otto@elsewhere.org may not read this dashboard" in reason
    assert "@example.com, @example.org" in reason
    # a look-alike domain is another domain
    assert auth.refusal({"email": "eve@notexample.com"}, domains) is not None
    assert auth.refusal({"email": "eve@example.com.evil.org"}, domains) is not None


def test_an_unverified_email_is_refused_even_in_an_allowed_domain_or_without_a_list():
    for domains in (("example.com",), ()):
        for flag in (False, "false"):
            reason = auth.refusal({"email": "una@example.com", "email_verified": flag}, domains)
            assert reason is not None
            assert "not verified" in reason
    # a provider that says nothing about verification is taken at its word
    assert auth.refusal({"email": "ana@example.com"}, ("example.com",)) is None


def test_without_an_email_a_user_is_refused_only_when_there_is_an_allow_list():
    assert auth.refusal({"sub": "x"}, ()) is None
    assert "did not share an e-mail address" in auth.refusal({"sub": "x"}, ("example.com",))


# ----------------------------------------------------------------------------- .streamlit/config.toml
def test_repo_config_sets_the_theme_and_hides_the_deploy_button_on_the_command_line():
    from streamlit import config as streamlit_config

    from onefunnel import dashboard_cli

    options = dashboard_cli.config_options()
    assert options["client.toolbarMode"] == "viewer"
    assert options["theme.base"] == "light"
    assert options["theme.primaryColor"] == "#2563eb"
    known = streamlit_config.get_config_options()
    assert set(options) <= set(known), set(options) - set(known)  # every key is a Streamlit 1.67 option
    command = dashboard_cli.streamlit_command(8765, address="0.0.0.0")  # noqa: S104 - a container's address
    assert command[command.index("--client.toolbarMode") + 1] == "viewer"
    assert command[command.index("--server.address") + 1] == "0.0.0.0"  # noqa: S104
    assert command.count("--server.headless") == 1
    secrets_files = [command[i + 1] for i, word in enumerate(command) if word == "--secrets.files"]
    assert str(dashboard_cli.REPO_ROOT / ".streamlit" / "secrets.toml") in secrets_files


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "settings are missing"),
        ("[theme\nbase = 1", "is not valid TOML"),
        ("base = 'light'", "'base' must be a [section]"),
        ("[theme]\nfonts = ['a']", "theme.fonts must be a string, number or true/false"),
    ],
)
def test_an_unusable_config_file_is_named(tmp_path, text, words):
    from onefunnel import dashboard_cli

    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(dashboard_cli.StreamlitConfigError, match=re.escape(words)):
        dashboard_cli.streamlit_command(8501, config=path)


# ----------------------------------------------------------------------------- the app stays closed (AppTest)
def shown_errors(app) -> str:
    return " ".join(error.value for error in app.error)


def test_an_allow_list_without_sign_in_keeps_the_dashboard_closed(real_app, monkeypatch):
    # GIVEN an allow-list but no sign-in settings
    monkeypatch.setenv(auth.DOMAINS_ENV, "example.com")
    app = real_app("funnel")
    # THEN no number is shown, and the page says why
    assert not app.metric
    assert f"{auth.DOMAINS_ENV} is set but sign-in is not configured" in shown_errors(app)


def test_partly_configured_sign_in_keeps_the_dashboard_closed_naming_what_is_missing(real_app, monkeypatch):
    monkeypatch.setenv(auth.ENV_PREFIX + "CLIENT_ID", "onefunnel")
    monkeypatch.setenv(auth.ENV_PREFIX + "CLIENT_SECRET", "never-shown-secret")
    app = real_app("funnel")
    assert not app.metric
    errors = shown_errors(app)
    assert "The dashboard stays closed: Sign-in is partly configured" in errors
    assert auth.ENV_PREFIX + "COOKIE_SECRET" in errors
    assert "never-shown-secret" not in errors


def test_a_malformed_allow_list_keeps_a_configured_dashboard_closed(real_app, published, monkeypatch):
    from dashboard_apptest import APP, FIRST_RUN_TIMEOUT_S
    from streamlit.testing.v1 import AppTest

    # GIVEN sign-in configured in the secrets and an allow-list entry that is an address, not a domain
    monkeypatch.setenv(auth.DOMAINS_ENV, "example.com, boss@example.com")
    app = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
    app.secrets["auth"] = dict(GOOD)
    app.user = {"is_logged_in": True, "email": "ana@example.com", "email_verified": True}
    app.run()
    # THEN even a signed-in user of an allowed domain sees no number, and the entry is named
    assert not app.metric
    assert "'boss@example.com' is not an e-mail domain" in shown_errors(app)
