"""Error responses in the shapes the real server sends them.

Chatwoot's `RequestExceptionHandler` turns the few exceptions it rescues into small JSON bodies keyed `"error"`;
everything else (an invalid enum value, a bad date) escapes to Rails' generic HTML error page with status 500.
rack-attack answers throttled requests with a bare text body. The sandbox raises `ApiError`/`ServerError` from
handlers and lets the app turn them into these responses.
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

RESOURCE_NOT_FOUND = "Resource could not be found"
INVALID_TOKEN = "Invalid Access Token"
SIGN_IN_FIRST = "You need to sign in or sign up before continuing."
NOT_ACCOUNT_MEMBER = "You are not authorized to access this account"
NOT_AUTHORIZED = "You are not authorized to do this action"
BOT_NOT_ALLOWED = "Access to this endpoint is not authorized for bots"
BOT_NOT_IN_ACCOUNT = "Bot is not authorized to access this account"
BAD_CREDENTIALS = "Invalid login credentials. Please try again."
NOT_SIGNED_IN = "User was not found or was not logged in."
INVALID_MFA_CODE = "Invalid verification code"
INVALID_MFA_TOKEN = "Invalid or expired MFA token"
MFA_SETUP_REQUIRED = "Your account requires two-factor authentication. Set it up to continue signing in."


class ApiError(Exception):
    """An error the server answers with a JSON body."""

    def __init__(self, status: int, body: object) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body

    def response(self) -> Response:
        return JSONResponse(self.body, status_code=self.status)


class ServerError(Exception):
    """Something the real server does not rescue (an enum ArgumentError, a Date::Error): Rails' HTML 500 page."""


def not_found() -> ApiError:
    return ApiError(404, {"error": RESOURCE_NOT_FOUND})


def unauthorized(message: str) -> ApiError:
    return ApiError(401, {"error": message})


def unprocessable(message: str) -> ApiError:
    return ApiError(422, {"error": message})


def rails_error_page(status: int = 500) -> Response:
    """The static page Rails serves for an unhandled exception (public/500.html), with the status it was given."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    html = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"  <title>We're sorry, but something went wrong ({status})</title>\n"
        '  <meta name="viewport" content="width=device-width,initial-scale=1">\n'
        "</head>\n<body>\n"
        '  <div class="dialog">\n'
        f"    <div>\n      <h1>We're sorry, but something went wrong.</h1>\n    </div>\n"
        f"    <p>{status} {reason}. If you are the application owner check the logs for more information.</p>\n"
        "  </div>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status)


def fault_response(
    status: int, retry_after: str | None, body: object = None, content_type: str | None = None
) -> Response:
    """The response an injected fault answers with.

    Without a `body`: rack-attack's 429, Rails' HTML page for 5xx, an empty 2xx, else `{"error": <reason>}`. With
    one: a str or bytes as it is (text/plain unless `content_type` says otherwise), anything else as JSON.
    """
    if body is not None:
        response = _given_body(status, body, content_type)
    elif status == 429:
        response = PlainTextResponse("Retry later\n", status_code=429)
    elif status >= 500:
        response = rails_error_page(status)
    elif 200 <= status < 300:
        response = Response(status_code=status)
    else:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        response = JSONResponse({"error": reason}, status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def _given_body(status: int, body: object, content_type: str | None) -> Response:
    if isinstance(body, str | bytes):
        return Response(body, status_code=status, media_type=content_type or "text/plain")
    response = JSONResponse(body, status_code=status)
    if content_type is not None:
        response.headers["content-type"] = content_type
    return response
