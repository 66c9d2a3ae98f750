"""The shop with the incident's bug, for the soak's self-test only: every response is marked
`Cache-Control: public` (the "my orders" API that started it all said `public`). Served by
granian as `tests.security.leaky_wsgi:application`; nothing else imports it."""

from config.wsgi import application as shop

LEAKY = "public, max-age=60, s-maxage=60"


def application(environ, start_response):
    def leaky_start_response(status, headers, exc_info=None):
        kept = [(name, value) for name, value in headers
                if name.lower() not in ("cache-control", "expires", "vary")]
        return start_response(status, [*kept, ("Cache-Control", LEAKY)], exc_info)

    return shop(environ, leaky_start_response)
