import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_from_home(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_anonymous_gets_a_plain_404_for_an_unknown_page(client):
    # LoginRequiredMiddleware acts on resolved views; an unknown URL is a bare 404 page.
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "/no/such/page/" not in response.content.decode()


@pytest.mark.django_db
def test_login_page_is_public_and_signs_in(client, nurse):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "nina", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_gets_a_message_on_the_form(client, nurse):
    response = client.post(reverse("login"), {"username": "nina", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_post_only(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_navigation_follows_the_role(client, nurse, policy_admin, outsider):
    client.force_login(policy_admin)
    page = client.get("/").content.decode()
    assert "Policy administration" in page and "Policy admin" in page

    client.force_login(nurse)
    page = client.get("/").content.decode()
    assert "Policy administration" not in page and "Nurse reviewer" in page

    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert "Your account has no role yet" in page


@pytest.mark.django_db
def test_static_bootstrap_is_served_locally_not_from_a_cdn(client, nurse):
    client.force_login(nurse)
    page = client.get("/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    # Every script and stylesheet is ours. (Only the addresses are searched: the page's random
    # CSRF token and CSP nonce may spell "cdn" by chance.)
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert addresses
    assert not [
        a for a in addresses if "cdn" in a.lower() or a.startswith(("http:", "https:", "//"))
    ]


@pytest.mark.django_db
def test_home_is_get_only(client, nurse):
    client.force_login(nurse)
    assert client.post("/").status_code == 405


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_page_leaks_nothing(client, nurse):
    client.force_login(nurse)
    response = client.get("/cases/secret-member-name/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "secret-member-name" not in body and "urlpatterns" not in body


@pytest.mark.django_db
def test_500_page_is_plain_and_leaks_nothing(client):
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "Something went wrong" in body and "Traceback" not in body
