"""The payment tests' municipality (payments.tests.conftest), for the month data (R9.6)."""

from verkstall.payments.tests.conftest import pw  # noqa: F401
