from mentoring.i18n.languages import KNOWN_LANGUAGES
from tests.conftest import submit
from tests.factories import get_user


def html_tag(response) -> str:
    return response.text.split("<html", 1)[1].split(">", 1)[0]


def test_german_is_the_default_language(client):
    response = client.get("/")
    assert 'lang="de" dir="ltr"' in html_tag(response)
    assert "nicht das Jugendamt" in response.text


def test_browser_language_is_used_when_nothing_was_chosen(client):
    response = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"})
    assert 'lang="ar" dir="rtl"' in html_tag(response)


def test_unshipped_browser_language_falls_back_to_german(client):
    response = client.get("/", headers={"Accept-Language": "ja"})
    assert 'lang="de"' in html_tag(response)


def test_lang_parameter_wins_and_is_remembered_in_a_cookie(client):
    first = client.get("/?lang=en", headers={"Accept-Language": "ar"})
    assert 'lang="en" dir="ltr"' in html_tag(first)
    assert "lang=en" in first.headers["Set-Cookie"]
    later = client.get("/privacy", headers={"Accept-Language": "ar"})
    assert 'lang="en"' in html_tag(later)


def test_unknown_lang_parameter_is_ignored(client):
    response = client.get("/?lang=xx")
    assert response.status_code == 200
    assert 'lang="de"' in html_tag(response)


def test_switcher_names_each_language_in_its_own_script(client):
    page = client.get("/").text
    for code in ("de", "en", "ar"):
        language = KNOWN_LANGUAGES[code]
        assert f'value="{code}" lang="{code}" dir="{language.direction}"' in page
        assert language.native_name in page
    assert "العربية" in page


def test_switcher_remembers_choice_in_cookie_and_profile(app, client, login_as):
    username = login_as("parent")
    response = submit(client, "/language", {"lang": "ar", "next": "/account"}, page="/account")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert get_user(app, username).locale == "ar"
    assert 'dir="rtl"' in client.get("/account").text


def test_profile_language_is_used_on_a_new_device(app, client, login_as):
    username = login_as("parent", locale="ar")
    assert get_user(app, username).locale == "ar"
    assert 'lang="ar" dir="rtl"' in html_tag(client.get("/home"))


def test_switcher_never_redirects_to_another_site(client):
    response = submit(client, "/language", {"lang": "en", "next": "https://evil.example/"}, page="/")
    assert response.headers["Location"] == "/"


def test_switcher_drops_an_explicit_lang_parameter_from_the_return_address(client):
    page = client.get("/privacy?lang=en").text
    assert 'name="next" value="/privacy"' in page


def test_error_pages_speak_the_users_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert 'dir="rtl"' in response.text
    assert "Page not found" not in response.text


def test_hostile_or_malformed_language_choices_fall_back_to_german(client):
    for query in ["../../etc/passwd", "<script>", "de\r\nSet-Cookie: x=1", "x" * 300, "ar;", "%00"]:
        response = client.get("/", query_string={"lang": query})
        assert response.status_code == 200
        assert 'lang="de"' in html_tag(response)
        assert "x=1" not in response.headers.get("Set-Cookie", "")
    for header in ["xx-YY,,,;q=abc", "*;q=2", "ar;q=-1", "\x00\x01", "de;" * 200]:
        response = client.get("/", headers={"Accept-Language": header})
        assert response.status_code == 200
    client.set_cookie("lang", "<bad>")
    assert 'lang="de"' in html_tag(client.get("/"))


def test_a_link_from_a_message_opens_the_page_in_the_message_language(app, client):
    response = client.get("/consultations?lang=ar", headers={"Accept-Language": "de"})
    assert 'lang="ar" dir="rtl"' in html_tag(response)
