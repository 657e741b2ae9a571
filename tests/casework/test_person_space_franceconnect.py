"""FranceConnect in the person's space (issue 22), against a fake OpenID Connect provider on
127.0.0.1 (tests/oidc_provider.py): mozilla-django-oidc's real authentication request view, our
callback and the library's backend code flow (real HTTP to /token, /jwks, /userinfo, real RS256
signatures, the library's state and nonce checks).

A FranceConnect identity opens only the access the person tied it to from their space; never a
match on names or birth date. ProConnect's OIDC_* settings are set to another provider here, so
that FranceConnect reading any of them would fail.
"""

import importlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from auditlog.models import LogEntry
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils.html import escape

from casework.enums import JournalChannel
from casework.models import InformationShare, SpaceAccess
from casework.space import services as space_services
from casework.space import session as space_session
from casework.space.views.franceconnect import FAILED, LOGGED_OUT, TIED, UNTIED
from partners.errors import InvalidTransition
from partners.models import OutboxMessage
from tests.casework.test_person_space import invited_case, log_in_person
from tests.oidc_provider import FakeProvider, log_in_through, serving
from tests.refusals import refused

pytestmark = pytest.mark.django_db

CLIENT_ID = "binome-franceconnect-test"
SUB = "c3f1f6d2e8a94f0b9d7e5a1b2c3d4e5fv1"
#: What FranceConnect says of the person: the same first name as the invited person's, and a
#: name and birth date that could match a file. None of it is ever used to find a space.
CLAIMS = {
    "given_name": "Rosalie",
    "family_name": "Durand",
    "birthdate": "1990-04-12",
    "email": "rosalie@exemple.fr",
}
UNKNOWN_PAGE = "Aucun espace n'est ouvert pour cette identité FranceConnect."


@pytest.fixture
def provider(monkeypatch) -> Iterator[FakeProvider]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # The project's URLs are loaded while the login is still off: the test URL configuration
    # adds its own to them, and config.urls must not keep them for the tests that follow.
    importlib.import_module("config.urls")
    fake = FakeProvider(client_id=CLIENT_ID, sub=SUB, claims=dict(CLAIMS))
    with (
        serving(fake),
        override_settings(
            BINOME_FRANCECONNECT_ENABLED=True,
            ROOT_URLCONF="tests.casework.franceconnect_urls",
            FRANCECONNECT_CLIENT_ID=CLIENT_ID,
            FRANCECONNECT_CLIENT_SECRET="secret-de-test",  # noqa: S106
            FRANCECONNECT_BASE_URL=fake.base_url,
            FRANCECONNECT_ISSUER="",
            FRANCECONNECT_TIMEOUT=5,
            # ProConnect's settings, pointing elsewhere: FranceConnect must not read them.
            OIDC_RP_CLIENT_ID="proconnect-client",
            OIDC_RP_CLIENT_SECRET="secret-proconnect",  # noqa: S106
            OIDC_RP_SCOPES="openid email given_name usual_name",
            OIDC_OP_ISSUER="http://127.0.0.1:9/proconnect",
            OIDC_OP_AUTHORIZATION_ENDPOINT="http://127.0.0.1:9/proconnect/authorize",
            OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/proconnect/token",
            OIDC_OP_USER_ENDPOINT="http://127.0.0.1:9/proconnect/userinfo",
            OIDC_OP_JWKS_ENDPOINT="http://127.0.0.1:9/proconnect/jwks",
            OIDC_AUTHENTICATION_CALLBACK_URL="oidc_authentication_callback",
            LOGIN_REDIRECT_URL_FAILURE="/connexion/?proconnect=echec",
        ),
    ):
        clear_url_caches()
        yield fake
    clear_url_caches()


def log_in_with_franceconnect(client: Client, provider: FakeProvider):  # type: ignore[no-untyped-def]
    return log_in_through(
        client,
        provider,
        reverse("space_franceconnect_login"),
        reverse("space_franceconnect_callback"),
    )


def tied_access(sub: str = SUB) -> SpaceAccess:
    _case, access = invited_case()
    return space_services.franceconnect_tie(access=access, sub=sub)


def person_keys(client: Client) -> dict[str, int]:
    session = client.session
    return {key: session[key] for key in [space_session.ACCESS_ID] if key in session}


def test_franceconnect_opens_the_space_tied_to_that_identity(provider):
    access = tied_access()
    client = Client()

    callback = log_in_with_franceconnect(client, provider)
    home = client.get(reverse("space_home"))

    assert (callback.status_code, callback["Location"]) == (302, reverse("space_home"))
    assert "no-store" in callback["Cache-Control"]
    # The person's session, never a Django login.
    assert person_keys(client) == {space_session.ACCESS_ID: access.pk}
    assert "_auth_user_id" not in client.session
    assert (home.status_code, "Bonjour Rosalie" in home.content.decode()) == (200, True)
    assert provider.authorize_query["scope"] == ["openid given_name family_name birthdate email"]
    assert provider.requests == [
        "/api/v2/token",
        "/api/v2/jwks",
        "/api/v2/userinfo",
        "/api/v2/jwks",
    ]
    access.refresh_from_db()
    assert access.last_visit_at is not None
    visit = LogEntry.objects.get_for_object(access).order_by("-pk").first()
    assert (visit.actor, visit.actor_email) == (None, f"personne:espace n°{access.pk}")


def test_franceconnect_identity_nobody_tied_opens_no_space_whatever_its_names(provider):
    # A person is followed and invited, with the very names FranceConnect gives: still nothing.
    case, access = invited_case()
    case.beneficiary.first_name, case.beneficiary.last_name = "Rosalie", "Durand"
    case.beneficiary.save()
    followed, stranger = Client(), Client()

    callback = log_in_with_franceconnect(followed, provider)
    page = followed.get(callback["Location"])
    provider.sub = "un-inconnu-de-binome"
    stranger_page = stranger.get(log_in_with_franceconnect(stranger, provider)["Location"])

    assert (callback.status_code, callback["Location"]) == (
        302,
        reverse("space_franceconnect_unknown"),
    )
    assert UNKNOWN_PAGE in page.content.decode()
    assert "demandez à votre conseiller·ère ou à votre travailleur·se social·e" in (
        page.content.decode()
    )
    # The same page whether the person is followed or not.
    assert page.content.decode() == stranger_page.content.decode()
    assert (person_keys(followed), person_keys(stranger)) == ({}, {})
    assert client_home_redirects_to_login(followed)
    access.refresh_from_db()
    assert (access.franceconnect_sub, access.last_visit_at) == ("", None)


def client_home_redirects_to_login(client: Client) -> bool:
    home = client.get(reverse("space_home"))
    return (home.status_code, home["Location"]) == (302, reverse("space_login"))


def test_franceconnect_refuses_an_id_token_for_another_client(provider, caplog):
    access = tied_access()
    provider.audience = "un-autre-service"
    client = Client()

    with caplog.at_level("ERROR", logger="django.security"):
        callback = log_in_with_franceconnect(client, provider)

    assert callback.status_code == 400
    assert [r.getMessage() for r in caplog.records if r.name.startswith("django.security")] == [
        "Jeton FranceConnect destiné à un autre service."
    ]
    assert person_keys(client) == {}
    access.refresh_from_db()
    assert access.last_visit_at is None


def test_franceconnect_refuses_a_userinfo_about_someone_else(provider):
    tied_access()
    client = Client()

    # The provider's /userinfo names another identity than its id token.
    provider.claims = {**CLAIMS, "sub": "quelqu-un-d-autre"}
    callback = log_in_with_franceconnect(client, provider)
    page = client.get(callback["Location"])

    assert (callback.status_code, callback["Location"]) == (302, reverse("space_login"))
    assert escape(FAILED) in page.content.decode()
    assert person_keys(client) == {}


def test_franceconnect_cancelled_by_the_person_says_it_did_not_succeed(provider):
    tied_access()
    client = Client()
    start = client.get(reverse("space_franceconnect_login"))
    state = dict(part.split("=", 1) for part in start["Location"].split("?", 1)[1].split("&"))[
        "state"
    ]

    callback = client.get(
        reverse("space_franceconnect_callback"), {"error": "access_denied", "state": state}
    )
    page = client.get(callback["Location"])

    assert (callback.status_code, callback["Location"]) == (302, reverse("space_login"))
    assert escape(FAILED) in page.content.decode()
    assert state not in client.session["oidc_states"]  # no replay of the refused state
    assert (person_keys(client), provider.requests) == ({}, [])


def test_person_ties_their_franceconnect_identity_from_their_space(provider):
    case, access = invited_case()
    client = log_in_person(Client())
    home = client.get(reverse("space_home")).content.decode()

    asked = client.post(reverse("space_franceconnect_tie"))
    callback = log_in_with_franceconnect(client, provider)
    after = client.get(callback["Location"]).content.decode()

    assert "Lier mon compte FranceConnect" in home
    assert (asked.status_code, asked["Location"]) == (302, reverse("space_franceconnect_login"))
    assert (callback.status_code, callback["Location"]) == (302, reverse("space_home"))
    assert TIED in after
    assert "Votre compte FranceConnect est lié : vous pouvez vous connecter avec lui." in after
    assert person_keys(client) == {space_session.ACCESS_ID: access.pk}
    access.refresh_from_db()
    assert access.franceconnect_sub == SUB
    audit = LogEntry.objects.get_for_object(access).order_by("-pk").first()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    row = InformationShare.objects.filter(case=case).order_by("-pk").first()
    assert (row.channel, row.actor_id, row.purpose, row.object_id) == (
        JournalChannel.PERSON,
        None,
        "Liaison de son compte FranceConnect à son espace",
        str(access.pk),
    )
    # From another browser, FranceConnect alone now opens the space.
    other = Client()
    assert log_in_with_franceconnect(other, provider)["Location"] == reverse("space_home")
    assert person_keys(other) == {space_session.ACCESS_ID: access.pk}


def test_tie_needs_the_persons_session(provider):
    invited_case()
    client = Client()

    asked = client.post(reverse("space_franceconnect_tie"))
    callback = log_in_with_franceconnect(client, provider)

    assert (asked.status_code, asked["Location"]) == (302, reverse("space_login"))
    # Without a pending tie, the return is a login attempt: the identity is tied to nothing.
    assert callback["Location"] == reverse("space_franceconnect_unknown")
    assert list(SpaceAccess.objects.exclude(franceconnect_sub="")) == []


def test_tie_refused_when_the_identity_opens_another_space(provider):
    first = tied_access()
    _case, second = invited_case(email="autre@exemple.fr")
    client = log_in_person(Client(), "autre@exemple.fr")

    client.post(reverse("space_franceconnect_tie"))
    callback = log_in_with_franceconnect(client, provider)
    page = client.get(callback["Location"]).content.decode()

    assert callback["Location"] == reverse("space_home")
    assert "Ce compte FranceConnect est déjà lié à un autre espace" in page
    second.refresh_from_db()
    assert (second.franceconnect_sub, person_keys(client)) == (
        "",
        {space_session.ACCESS_ID: second.pk},
    )
    assert SpaceAccess.objects.get(franceconnect_sub=SUB) == first


def test_tie_service_refuses_an_identity_of_another_space():
    tied_access()
    _case, other = invited_case(email="autre@exemple.fr")

    with refused(
        InvalidTransition,
        "Ce compte FranceConnect est déjà lié à un autre espace : il ne peut pas être lié au "
        "vôtre. Continuez à vous connecter avec un code.",
    ):
        space_services.franceconnect_tie(access=other, sub=SUB)


def test_withdrawn_access_no_longer_opens_with_franceconnect(provider):
    access = tied_access()
    signed_in = Client()
    log_in_with_franceconnect(signed_in, provider)
    space_services.space_withdraw(access=access, acting_user=access.case.pair.advisor)

    fresh = Client()
    callback = log_in_with_franceconnect(fresh, provider)

    assert callback["Location"] == reverse("space_franceconnect_unknown")
    assert person_keys(fresh) == {}
    # The session opened before the withdrawal ends at its next request.
    assert client_home_redirects_to_login(signed_in)
    assert person_keys(signed_in) == {}


def test_a_new_invitation_may_be_tied_to_the_identity_of_a_withdrawn_one(provider):
    access = tied_access()
    space_services.space_withdraw(access=access, acting_user=access.case.pair.advisor)
    renewed = space_services.space_invite(
        case=access.case, email=access.email, acting_user=access.case.pair.social_worker
    )

    space_services.franceconnect_tie(access=renewed, sub=SUB)
    client = Client()
    log_in_with_franceconnect(client, provider)

    assert person_keys(client) == {space_session.ACCESS_ID: renewed.pk}


def test_login_page_offers_franceconnect_only_when_configured(provider, settings):
    with_franceconnect = Client().get(reverse("space_login")).content.decode()
    settings.BINOME_FRANCECONNECT_ENABLED = False
    without = Client().get(reverse("space_login")).content.decode()

    assert '<span class="fr-connect__brand">FranceConnect</span>' in with_franceconnect
    assert "Qu'est-ce que FranceConnect ?" in with_franceconnect
    assert reverse("space_franceconnect_login") in with_franceconnect
    assert "FranceConnect" not in without


def test_franceconnect_urls_are_not_mounted_unless_configured():
    # The test settings configure no FranceConnect client: config.urls mounts none of its URLs.
    with pytest.raises(NoReverseMatch):
        reverse("space_franceconnect_login", urlconf="config.urls")
    assert reverse("space_login", urlconf="config.urls") == "/mon-espace/connexion/"


def test_invitation_offers_franceconnect_only_when_configured(provider, settings):
    _case, access = invited_case()
    settings.BINOME_FRANCECONNECT_ENABLED = False
    _other, without = invited_case(email="autre@exemple.fr")

    def body(invited: SpaceAccess) -> str:
        return OutboxMessage.objects.get(key=f"space-invitation:{invited.pk}:email").payload["body"]

    offer = (
        "Une fois dans votre espace, vous pourrez y lier votre compte FranceConnect pour entrer "
        "ensuite sans code."
    )
    assert (offer in body(access), offer in body(without)) == (True, False)


def test_logout_after_franceconnect_ends_the_franceconnect_session_too(provider):
    """FranceConnect's rule: a service that logged the person in through FranceConnect logs them
    out of it too (RP-initiated logout with the id_token of that login and a checked state)."""
    tied_access()
    client = Client()
    log_in_with_franceconnect(client, provider)

    out = client.post(reverse("space_logout"))

    end = urlparse(out["Location"])
    query = parse_qs(end.query)
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.base_url}/session/end"
    assert query["id_token_hint"] == [provider.id_tokens[-1]]
    assert query["post_logout_redirect_uri"] == [
        f"http://testserver{reverse('space_franceconnect_logged_out')}"
    ]
    # The space's session ended before the round trip: nothing of the person is left here.
    assert person_keys(client) == {}
    assert space_session.FRANCECONNECT_ID_TOKEN not in client.session
    back = requests.get(out["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    returned = urlparse(back.headers["Location"])
    landed = client.get(returned.path, parse_qs(returned.query))
    assert (landed.status_code, landed["Location"]) == (302, reverse("space_login"))
    assert escape(LOGGED_OUT) in client.get(landed["Location"]).content.decode()
    # The same return again (a replay) says nothing: its state was spent.
    again = client.get(returned.path, parse_qs(returned.query))
    assert escape(LOGGED_OUT) not in client.get(again["Location"]).content.decode()


def test_logout_after_a_code_stays_in_binome(provider):
    invited_case()
    client = log_in_person(Client())

    out = client.post(reverse("space_logout"))

    assert out["Location"] == reverse("space_login")
    assert person_keys(client) == {}
    assert [path for path in provider.requests if "/session/end" in path] == []


def test_person_unties_their_franceconnect_identity(provider):
    access = tied_access()
    client = Client()
    log_in_with_franceconnect(client, provider)
    home = client.get(reverse("space_home")).content.decode()

    untied = client.post(reverse("space_franceconnect_untie"))

    assert "Délier mon compte FranceConnect" in home
    assert untied["Location"] == reverse("space_home")
    assert escape(UNTIED) in client.get(untied["Location"]).content.decode()
    access.refresh_from_db()
    assert access.franceconnect_sub == ""
    audit = LogEntry.objects.get_for_object(access).order_by("-pk").first()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    row = InformationShare.objects.filter(case=access.case).order_by("-pk").first()
    assert (row.channel, row.actor_id, row.purpose) == (
        JournalChannel.PERSON,
        None,
        "Fin de la liaison de son compte FranceConnect à son espace",
    )
    # FranceConnect no longer opens the space; a second untie says why it cannot.
    assert log_in_with_franceconnect(Client(), provider)["Location"] == reverse(
        "space_franceconnect_unknown"
    )
    with refused(InvalidTransition, "Aucun compte FranceConnect n'est lié à votre espace."):
        space_services.franceconnect_untie(access=access)
