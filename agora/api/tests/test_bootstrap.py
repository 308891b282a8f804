"""Getting connected: app registration, OAuth (code with PKCE, client credentials, refresh, revoke),
discovery documents, instance information and the conventions every endpoint shares."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from agora.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def register(client: Client, **data: Any) -> Any:
    payload = {
        "client_name": "Pocket",
        "redirect_uris": "https://app.example/callback",
        "scopes": "read write",
    }
    return client.post("/api/v1/apps", {**payload, **data})


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client: Client, app: dict[str, Any], **extra: str) -> Any:
    """Open the consent page as the signed-in user and allow; returns the response to the allow."""
    params = {
        "client_id": app["client_id"],
        "redirect_uri": app["redirect_uri"].split()[0],
        "response_type": "code",
        "scope": "read write",
        **extra,
    }
    page = client.get("/oauth/authorize", params)
    assert page.status_code == 200, page.content
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))
    return client.post("/oauth/authorize", {**form, "allow": "Authorize"})


def test_app_registration_returns_credentials_once_and_a_mastodon_app_entity() -> None:
    response = register(Client())
    assert response.status_code == 200
    body = response.json()
    assert body["client_id"] and body["client_secret"]
    assert body["scopes"] == ["read", "write"]
    assert body["redirect_uris"] == ["https://app.example/callback"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("scopes", "read admin:everything"), ("redirect_uris", "javascript:alert(1)"), ("client_name", "")],
)
def test_app_registration_refuses_bad_input_with_422(field: str, value: str) -> None:
    response = register(Client(), **{field: value})
    assert response.status_code == 422
    assert field.rstrip("s") in response.json()["error"]


def test_authorization_code_with_pkce_gives_a_token_for_the_consenting_user() -> None:
    alice = UserFactory(username="alice")
    app = register(Client()).json()
    browser = Client()
    browser.force_login(alice)
    verifier, challenge = pkce_pair()
    allowed = authorize(browser, app, code_challenge=challenge, code_challenge_method="S256", state="xyz")
    assert allowed.status_code == 302
    query = parse_qs(urlsplit(allowed["Location"]).query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app["redirect_uri"],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    wrong = Client().post("/oauth/token", {**exchange, "code_verifier": "x" * 50})
    assert wrong.status_code == 400
    # A code is good for one exchange attempt only when the verifier matches; a fresh code for the right one.
    allowed = authorize(browser, app, code_challenge=challenge, code_challenge_method="S256")
    code = parse_qs(urlsplit(allowed["Location"]).query)["code"][0]
    token = Client().post("/oauth/token", {**exchange, "code": code, "code_verifier": verifier}).json()
    assert token["token_type"] == "Bearer" and token["scope"] == "read write"
    me = Client().get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["username"] == "alice" and "source" in me.json()


def test_plain_pkce_is_refused() -> None:
    alice = UserFactory(username="alice")
    app = register(Client()).json()
    browser = Client()
    browser.force_login(alice)
    page = browser.get(
        "/oauth/authorize",
        {
            "client_id": app["client_id"],
            "redirect_uri": app["redirect_uri"],
            "response_type": "code",
            "code_challenge": "abc" * 15,
            "code_challenge_method": "plain",
        },
    )
    assert page.status_code == 400


def test_consent_page_needs_a_login_and_oob_shows_the_code() -> None:
    app = register(Client(), redirect_uris="urn:ietf:wg:oauth:2.0:oob").json()
    anonymous = Client().get(
        "/oauth/authorize",
        {"client_id": app["client_id"], "redirect_uri": app["redirect_uri"], "response_type": "code"},
    )
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    browser = Client()
    browser.force_login(UserFactory())
    shown = authorize(browser, app)
    assert shown.status_code == 200
    assert re.search(r'data-testid="oauth-code"', shown.content.decode())


def test_consent_for_scopes_the_app_did_not_register_is_refused() -> None:
    app = register(Client(), scopes="read").json()
    browser = Client()
    browser.force_login(UserFactory())
    page = browser.get(
        "/oauth/authorize",
        {
            "client_id": app["client_id"],
            "redirect_uri": app["redirect_uri"],
            "response_type": "code",
            "scope": "read write",
        },
    )
    # oauthlib sends the error back to the registered redirect URI.
    assert page.status_code == 302 and "error=invalid_scope" in page["Location"]


def test_client_credentials_refresh_and_revoke() -> None:
    app = register(Client()).json()
    credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    app_token = Client().post(
        "/oauth/token", {"grant_type": "client_credentials", "scope": "read", **credentials}
    )
    assert app_token.status_code == 200
    bearer = {"Authorization": f"Bearer {app_token.json()['access_token']}"}
    verified = Client().get("/api/v1/apps/verify_credentials", headers=bearer)
    assert verified.status_code == 200 and verified.json()["name"] == "Pocket"
    # An app token has no account behind it (Mastodon's 422).
    no_user = Client().get("/api/v1/accounts/verify_credentials", headers=bearer)
    assert no_user.status_code == 422
    assert no_user.json() == {"error": "This method requires an authenticated user"}

    alice = UserFactory()
    browser = Client()
    browser.force_login(alice)
    code = parse_qs(urlsplit(authorize(browser, app)["Location"]).query)["code"][0]
    tokens = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": app["redirect_uri"],
                **credentials,
            },
        )
        .json()
    )
    refreshed = Client().post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **credentials},
    )
    assert refreshed.status_code == 200
    new = refreshed.json()["access_token"]
    assert Client().post("/oauth/revoke", {"token": new, **credentials}).status_code == 200
    gone = Client().get("/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {new}"})
    assert gone.status_code == 401 and gone.json() == {"error": "The access token is invalid"}


def test_discovery_documents() -> None:
    UserFactory(username="alice")
    client = Client()
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert server["token_endpoint"].endswith("/oauth/token") and "read:statuses" in server["scopes_supported"]
    finger = client.get("/.well-known/webfinger", {"resource": "acct:alice@localhost"})
    assert finger.status_code == 200 and finger.json()["subject"] == "acct:alice@localhost"
    assert client.get("/.well-known/webfinger", {"resource": "acct:nobody@localhost"}).status_code == 404
    assert (
        client.get("/.well-known/webfinger", {"resource": "acct:alice@elsewhere.example"}).status_code == 404
    )
    href = client.get("/.well-known/nodeinfo").json()["links"][0]["href"]
    info = client.get(urlsplit(href).path).json()
    assert info["software"]["name"] == "agora" and info["usage"]["users"]["total"] == 1


def test_instance_reports_a_mastodon_compatible_version_and_real_limits(settings: Any) -> None:
    v2 = Client().get("/api/v2/instance").json()
    assert v2["version"].startswith("4.3.0 (compatible; Agora")
    limits = v2["configuration"]
    assert limits["statuses"]["max_characters"] == settings.AGORA_MAX_POST_CHARS
    assert limits["media_attachments"]["image_size_limit"] == settings.AGORA_MEDIA_MAX_IMAGE_BYTES
    assert v2["registrations"]["enabled"] is True
    v1 = Client().get("/api/v1/instance").json()
    assert v1["configuration"]["statuses"]["max_media_attachments"] == settings.AGORA_MEDIA_MAX_ATTACHMENTS
    assert v1["urls"]["streaming_api"].startswith("ws")


def test_errors_have_mastodon_shape(api_as: Any, alice: Any) -> None:
    anonymous = api_as(None)
    assert anonymous.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert anonymous.get("/api/v1/accounts/verify_credentials").json() == {
        "error": "The access token is invalid"
    }
    missing = api_as(alice).get("/api/v1/statuses/0190a0b0-0000-8000-8000-000000000000")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    assert api_as(alice).get("/api/v1/statuses/not-an-id").status_code == 404
    empty = api_as(alice).post("/api/v1/statuses", {"status": ""})
    assert empty.status_code == 422 and empty.json()["error"].startswith("Validation failed")
    bad_visibility = api_as(alice).post("/api/v1/statuses", {"status": "hi", "visibility": "everyone"})
    assert bad_visibility.status_code == 422
    bad_json = api_as(alice).client.post(
        "/api/v1/statuses", "{not json", content_type="application/json", headers=api_as(alice).headers
    )
    assert bad_json.status_code == 400 and "error" in bad_json.json()


def test_a_read_only_token_cannot_post(api_as: Any, alice: Any) -> None:
    reader = api_as(alice, "read")
    response = reader.post("/api/v1/statuses", {"status": "hello"})
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert reader.get("/api/v1/timelines/home").status_code == 200
    granular = api_as(alice, "read:accounts write:statuses")
    assert granular.post("/api/v1/statuses", {"status": "hello"}).status_code == 200
    assert granular.get("/api/v1/timelines/home").status_code == 403
    assert granular.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_rate_limit_headers_and_json_429(api_as: Any, alice: Any, rate_limits: Any) -> None:
    rate_limits.AGORA_RATELIMITS = {"read:account": (2, 300), "read:ip": (100, 300)}
    client = api_as(alice)
    first = client.get("/api/v1/timelines/home")
    assert first["X-RateLimit-Limit"] == "2" and first["X-RateLimit-Remaining"] == "1"
    client.get("/api/v1/timelines/home")
    over = client.get("/api/v1/timelines/home")
    assert over.status_code == 429 and over.json() == {"error": "Too many requests"}
    assert over["Retry-After"]


def test_link_header_pagination_over_string_ids(api_as: Any, alice: Any) -> None:
    client = api_as(alice)
    ids = [client.post("/api/v1/statuses", {"status": f"post {n}"}).json()["id"] for n in range(5)]
    first = client.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in first.json()] == [ids[4], ids[3]]
    next_url = re.search(r'<([^>]+)>; rel="next"', first["Link"]).group(1)
    second = client.get(urlsplit(next_url).path + "?" + urlsplit(next_url).query)
    assert [s["id"] for s in second.json()] == [ids[2], ids[1]]
    newer = client.get("/api/v1/timelines/home", {"since_id": ids[2]})
    assert [s["id"] for s in newer.json()] == [ids[4], ids[3]]


def test_openapi_document_describes_the_api() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/statuses",
        "/api/v1/timelines/home",
        "/api/v2/media",
        "/api/v1/accounts/{account_id}",
    ):
        assert path in paths, path
    assert (
        paths["/api/v1/timelines/home"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
            "type"
        ]
        == "array"
    )
    assert schema["components"]["securitySchemes"]["OAuth2"]["scheme"] == "bearer"


def test_trailing_slashes_are_accepted_as_on_mastodon() -> None:
    assert Client().get("/api/v2/instance/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/statuses", ["a", "list"]),
        ("post", "/api/v1/statuses", {"status": "nul \x00 byte"}),
        ("patch", "/api/v1/accounts/update_credentials", {"display_name": "a\x00b"}),
        ("patch", "/api/v1/accounts/update_credentials", {"fields_attributes": ["x", 1]}),
        ("get", "/api/v2/search?q=a%00b", None),
        ("get", "/api/v1/timelines/tag/a%00b", None),
        ("get", "/api/v1/timelines/home?limit=x&max_id=junk", None),
        ("post", "/api/v1/reports", {"account_id": {"x": 1}}),
    ],
)
def test_bad_input_is_a_client_error_never_a_500(
    method: str, path: str, body: Any, api_as: Any, alice: Any
) -> None:
    client = api_as(alice)
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert "error" in response.json()


def test_visitors_page_back_only_as_far_as_on_the_web(api_as: Any, alice: Any, settings: Any) -> None:
    from agora.core.ids import new_id

    settings.AGORA_ANONYMOUS_HISTORY_DAYS = 30
    old = "00000000-0000-8000-8000-000000000000"
    deep = api_as(None).get("/api/v1/timelines/public", {"max_id": old})
    assert deep.status_code == 401 and "error" in deep.json()
    assert api_as(None).get("/api/v1/timelines/public", {"max_id": str(new_id())}).status_code == 200
    assert api_as(alice).get("/api/v1/timelines/public", {"max_id": old}).status_code == 200


def test_mobile_apps_may_redirect_to_their_own_scheme_and_scopes_cannot_grow() -> None:
    app = register(Client(), redirect_uris="org.example.pocket://oauth", scopes="read").json()
    browser = Client()
    browser.force_login(UserFactory())
    allowed = authorize(browser, app, scope="read")
    assert allowed.status_code == 302 and allowed["Location"].startswith("org.example.pocket://oauth?code=")
    credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    grown = Client().post(
        "/oauth/token", {"grant_type": "client_credentials", "scope": "write", **credentials}
    )
    assert grown.status_code == 400 and grown.json()["error"] == "invalid_scope"
    wrong_secret = Client().post(
        "/oauth/token", {"grant_type": "client_credentials", **credentials, "client_secret": "nope"}
    )
    assert wrong_secret.status_code == 401


def test_denying_consent_gives_the_app_no_code() -> None:
    app = register(Client()).json()
    browser = Client()
    browser.force_login(UserFactory())
    page = browser.get(
        "/oauth/authorize",
        {"client_id": app["client_id"], "redirect_uri": app["redirect_uri"], "response_type": "code"},
    )
    assert b"Allow Pocket to use your account?" in page.content
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))
    denied = browser.post("/oauth/authorize", form)
    assert denied.status_code == 302 and "error=access_denied" in denied["Location"]
    assert "code=" not in denied["Location"]


def test_unknown_api_paths_answer_in_mastodons_json_error_shape(client: Any) -> None:
    for path in ("/api/v1/statuses/%C2%84", "/api/v1/no-such-thing", "/oauth/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    # The web app keeps its page.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
