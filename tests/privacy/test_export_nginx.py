"""The export through a real, hostile nginx proxy_cache (URL-keyed, ignores Authorization,
Vary and Set-Cookie): never stored, never served to anyone else (docs/contract.md §5,
docs/threats.md cases 1-2)."""

import pytest

from shop.accounts.tokens import access_token_issue
from tests.factories import create_user
from tests.support.http import assert_not_shareable, session_cookie_for

pytestmark = pytest.mark.nginx


def test_the_export_never_enters_the_shared_cache(nginx_cache, db):
    hester = create_user("hester.plumtree@example.com", name="Hester Plumtree")
    rufus = create_user("rufus.wexley@example.com", name="Rufus Wexley")
    for _ in range(2):  # twice: a cache that stored the first would answer the second
        token = access_token_issue(user=hester)
        mine = nginx_cache.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200
        assert "Hester Plumtree" in mine.text
        assert_not_shareable(mine)
    token = access_token_issue(user=rufus)
    theirs = nginx_cache.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    assert "Rufus Wexley" in theirs.text
    assert "Hester" not in theirs.text
    stranger = nginx_cache.get("/api/v1/me/export")
    assert stranger.status_code == 401
    assert "Hester" not in stranger.text
    # the storefront download: a session without a fresh confirmation is sent to confirm
    page = nginx_cache.get("/account/privacy/export/download/",
                           headers={"Cookie": session_cookie_for(hester)})
    assert page.status_code == 302
    assert_not_shareable(page)
    assert " HIT" not in nginx_cache.logs(), nginx_cache.logs()
