"""Who a person is and what role their groups give them, from an ID token's claims."""

from __future__ import annotations

import pytest

from estate.access.people import Person, Refused, person_of, role_for
from estate.config import OidcSettings
from estate.status import Role

OIDC = OidcSettings(issuer="https://login.microsoftonline.com/t/v2.0", client_id="estate")
ROLES = {"g-assets": Role.ASSETS, "g-infra": Role.INFRA, "g-view": Role.VIEWER}


def test_the_email_names_the_person_and_the_groups_claim_is_read() -> None:
    claims = {"sub": "0a1b", "email": "jo@council.gov.uk", "groups": ["g-view", "g-other"]}

    assert person_of(claims, OIDC) == Person("jo@council.gov.uk", "0a1b", ("g-view", "g-other"))


def test_without_an_email_the_preferred_username_then_the_subject_names_them() -> None:
    upn = person_of({"sub": "0a1b", "preferred_username": "jo@council.gov.uk"}, OIDC)
    bare = person_of({"sub": "0a1b", "email": " ", "groups": "g-view g-infra"}, OIDC)

    assert upn == Person("jo@council.gov.uk", "0a1b", ())
    assert bare == Person("0a1b", "0a1b", ("g-view", "g-infra"))


def test_the_highest_mapped_role_wins_and_no_mapped_group_is_refused() -> None:
    both = Person("jo@x", "1", ("g-infra", "g-assets", "g-view"))
    none = Person("al@x", "2", ("finance",))

    with pytest.raises(Refused) as refused:
        role_for(none, ROLES)

    assert role_for(both, ROLES) == Role.ASSETS
    assert refused.value.who == "al@x"


def test_only_allowed_domains_sign_in() -> None:
    oidc = OIDC.model_copy(update={"allowed_domains": ["council.gov.uk"]})

    allowed = person_of({"sub": "1", "email": "Jo@Council.gov.uk"}, oidc)
    with pytest.raises(Refused) as refused:
        person_of({"sub": "2", "email": "guest@contractor.example"}, oidc)

    assert allowed.name == "Jo@Council.gov.uk"
    assert str(refused.value) == "guest@contractor.example is not an account of council.gov.uk."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"issuer": "http://idp.council.gov.uk"}, "the issuer must be an https:// URL"),
        ({"scopes": ["profile"]}, "the scopes must include 'openid'"),
        ({"client_secret_env": None}, "name client_secret_env or client_secret_file"),
    ],
)
def test_oidc_settings_refuse_what_would_not_work(fields: dict[str, object], message: str) -> None:
    given = {"issuer": "https://idp.council.gov.uk", "client_id": "estate", **fields}
    with pytest.raises(ValueError, match=message):
        OidcSettings(**given)  # type: ignore[arg-type]
