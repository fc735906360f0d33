from mentoring.security import public
from tests.conftest import another_app_instance, csrf_token


def test_start_page_says_plainly_what_parents_get_and_that_it_is_not_the_jugendamt(client):
    page = client.get("/").text
    assert "Sprechstunden" in page
    assert "nicht das Jugendamt" in page
    assert 'href="/privacy"' in page and 'href="/imprint"' in page
    assert 'class="skip-link" href="#main"' in page and '<main id="main"' in page


def test_start_page_in_english_explains_the_offer(client):
    page = client.get("/?lang=en").text
    assert "Consultation hours" in page
    assert "This is not the youth welfare office" in page


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/register").text
    assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_form_without_csrf_token_gets_a_friendly_page_in_the_users_language(client):
    response = client.post(
        "/login", data={"username": "x", "password": "y"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "Please send the form again" in response.text
    assert "<html" in response.text


def test_oversized_form_gets_a_clear_answer_not_a_crash(client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"csrf_token": token, "username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Zu viele Daten" in response.text or "zu groß" in response.text


def test_unexpected_error_shows_a_friendly_page_and_no_traceback(database_url, tmp_path):
    with another_app_instance(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False) as app:

        @app.get("/boom")
        @public
        def boom():
            raise RuntimeError("secret detail")

        response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "Nichts, was Sie eingegeben haben, wurde gespeichert" in response.text or "später" in response.text


def test_health_check_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_static_stylesheet_uses_logical_properties_for_right_to_left(client):
    with client.get("/static/site.css") as response:
        css = response.text
    assert "margin-inline" in css and "inset-inline-start" in css
    assert "margin-left" not in css and "padding-right" not in css
