import pytest


@pytest.fixture(autouse=True)
def _every_test_has_the_municipality(municipality_data):
    """Every test here needs the demo municipality's districts and topics (tests/conftest.py)."""
