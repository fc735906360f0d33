import re

from tests.factories import book_in_db, make_expert, make_slot


def test_static_files_are_versioned_cached_for_a_year_and_compressed(client):
    page = client.get("/").text
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{10})"', page).group(1)
    with client.get(css, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_pages_with_secrets_are_not_compressed(client):
    # CSRF tokens next to reflected input: compression would allow a BREACH-style attack.
    response = client.get("/coordinator/users?q=abc", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "Content-Encoding" not in client.get("/login", headers={"Accept-Encoding": "gzip"}).headers


def test_printable_sheet_lists_the_coming_two_weeks_by_day_with_a_qr_code(app, client):
    expert = make_expert(app, display_name="Sabine Kaya")
    from datetime import timedelta

    soon = make_slot(app, expert, starts_in=timedelta(days=2))
    later = make_slot(app, expert, starts_in=timedelta(days=20))
    page = client.get("/consultations/print?lang=en")
    assert page.status_code == 200
    assert page.text.count("Sabine Kaya") == 1  # the slot in two days, not the one in 20
    assert "<svg" in page.text and 'class="qr"' in page.text
    assert "http://localhost/consultations" in page.text
    assert soon and later


def test_the_confirmation_carries_a_qr_code_to_the_manage_page_for_print(app, client):
    slot = make_slot(app, make_expert(app))
    _id, token = book_in_db(app, slot)
    page = client.get(f"/booking/{token}").text
    assert 'class="qr-figure print-only"' in page and "<svg" in page
