"""A shopper's account in a real browser (Chromium through Playwright): register, confirm the
email, sign out, sign in, forget the password, reset it through the emailed link (read from
the file email backend, as on a laptop), and sign in with the new one."""

import email
import re
from email import policy
from pathlib import Path

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.browser

NAME = "Petra Lindqvist"
EMAIL = "petra.lindqvist@example.com"
FIRST_PASSWORD = "granite lighthouse 42"
NEW_PASSWORD = "juniper harbour 77"

# The basics every account page must get right: labelled fields, one h1, nothing inline.
A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!el.labels.length && !el.getAttribute("aria-label")) problems.push("unlabelled " + el.name);
  }
  if (document.querySelectorAll("h1").length !== 1) problems.push("not one h1");
  for (const el of document.querySelectorAll("[style]")) problems.push("style on " + el.tagName);
  for (const el of document.querySelectorAll("script:not([src])")) problems.push("inline script");
  return problems;
}"""


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mailbox(settings, tmp_path) -> Path:
    """The file email backend, writing into a folder of this test's own."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder


def messages_in(folder: Path) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.lstrip(), policy=policy.default))
    return found


def link_in_last_mail(folder: Path, *, to: str, containing: str) -> str:
    message = messages_in(folder)[-1]
    assert message["To"] == to
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S*" + re.escape(containing) + r"\S*", body)
    assert match, body
    return match.group(0)


def assert_accessible(page):
    assert page.evaluate(A11Y) == [], page.url


def sign_out_from_the_account_menu(page):
    page.get_by_role("navigation", name="Your account").get_by_role(
        "button", name="Sign out"
    ).click()
    page.get_by_role("heading", name="You are signed out").wait_for()


def test_register_sign_out_sign_in_and_reset_the_password(
    page, page_watch, screenshot, live_server, mailbox, db
):
    # A visitor: the cached home page's header offers Sign in and Register (plain links; no
    # private request without a version cookie).
    page.goto("/")
    nav = page.get_by_role("navigation", name="Account")
    nav.get_by_role("link", name="Register").click()
    page.wait_for_url("**/account/register/")
    assert_accessible(page)

    # Register: a weak password is refused next to its field, then a good one works.
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill("12345678")
    page.get_by_role("button", name="Create account").click()
    error = page.locator("#id_password_error")
    error.wait_for()
    assert "too common" in error.inner_text() or "numeric" in error.inner_text()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    screenshot("accounts-register-error")
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same page whether or not the address had an account: check your email, sign in.
    page.wait_for_url("**/account/register/sent/")
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
    screenshot("accounts-register-sent")
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.get_by_role("heading", name="Hello, Petra").wait_for()
    assert page.get_by_text("Not verified yet").is_visible()
    assert_accessible(page)
    screenshot("accounts-profile-unverified")

    # Confirm the email address with the link that was mailed.
    page.goto(link_in_last_mail(mailbox, to=EMAIL, containing="/account/verify-email/"))
    page.get_by_role("heading", name="Your email address is confirmed").wait_for()
    page.goto("/account/")
    assert page.locator(".acct-badge-ok", has_text="Verified").is_visible()

    # Sign out: the browser keeps nothing of Petra.
    sign_out_from_the_account_menu(page)
    assert_accessible(page)
    screenshot("accounts-signed-out", mobile=False)
    assert [c["name"] for c in page.context.cookies() if c["name"].endswith("session")] == []
    page.goto("/account/")
    page.wait_for_url(re.compile(r"/account/sign-in/\?next="))

    # Sign in again; the header greets her on the cached pages.
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.goto("/")  # the header's sections come from sessionStorage or /fragments/private
    nav = page.get_by_role("navigation", name="Account")
    nav.get_by_text("Hello, Petra").wait_for()
    screenshot("accounts-header-signed-in", mobile=False)
    nav.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="You are signed out").wait_for()

    # Forgot the password: ask for a link.
    page.goto("/account/sign-in/")
    assert_accessible(page)
    screenshot("accounts-sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/account/password-reset/")
    page.get_by_label("Email address").fill(EMAIL.upper())
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    # Follow the emailed link and choose a new password.
    page.goto(link_in_last_mail(mailbox, to=EMAIL, containing="/account/password-reset/"))
    page.wait_for_url(re.compile(r"/set-password/$"))  # the token left the address bar
    page.get_by_role("heading", name="Choose a new password").wait_for()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    screenshot("accounts-reset-password", mobile=False)
    page.get_by_role("button", name="Set new password").click()
    page.get_by_role("heading", name="Your password is changed").wait_for()

    # The old password no longer works; the new one does.
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Email or password is incorrect.").wait_for()
    assert page.get_by_label("Email address").input_value() == EMAIL
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")
    page.get_by_role("heading", name="Hello, Petra").wait_for()
    screenshot("accounts-profile")
    page_watch.assert_clean()


def test_saved_addresses(page, page_watch, screenshot, live_server, db):
    from tests.factories import create_user

    create_user(EMAIL, FIRST_PASSWORD, name=NAME)
    page.goto("/account/sign-in/?next=/account/addresses/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/addresses/")
    page.get_by_role("link", name="Add an address").click()
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Address line 1").fill("Sveavägen 12")
    page.get_by_label("Postal code").fill("111 57")
    page.get_by_label("City").fill("Stockholm")
    page.get_by_label("Country").select_option("SE")
    assert_accessible(page)
    screenshot("accounts-address-form")
    page.get_by_role("button", name="Save address").click()
    page.wait_for_url("**/account/addresses/")
    assert page.locator("address", has_text="Sveavägen 12").is_visible()
    assert page.get_by_text("Default").is_visible()
    assert_accessible(page)
    screenshot("accounts-addresses")
    page.get_by_role("button", name=re.compile("^Delete")).click()
    page.get_by_text("No saved addresses yet").wait_for()
    page_watch.assert_clean()
