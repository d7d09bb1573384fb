"""IndexNow (indexnow.org): the key, its key file, and one submission with retries.

Responses, as documented: 200 OK, 202 accepted (key validation pending),
400 bad request, 403 key not valid, 422 URLs not of this host or key mismatch,
429 too many requests. 429 and 5xx are retried with backoff that respects
Retry-After, a bounded number of times. Only a 200 or 202 from the endpoint itself
counts: redirects, web pages and malformed answers are failures, and a deadline
bounds the whole exchange.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from generator.errors import PublishError

DEFAULT_ENDPOINT = "https://api.indexnow.org/indexnow"
MAX_URLS_PER_REQUEST = 10_000
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0  # a longer Retry-After ends the publish with the time to try again
TIMEOUT = 30.0  # per socket operation
DEADLINE = 120.0  # for a whole publish, however slowly the endpoint answers
MAX_ANSWER = 64 * 1024  # IndexNow answers with an empty or a tiny body

FAILURES = {
    400: "IndexNow rejected the request as malformed (400 Bad Request)",
    403: "IndexNow says the key is not valid (403 Forbidden): the key file {location} "
    "is not reachable or does not contain the key; deploy the site, then publish again",
    422: "IndexNow refused the URLs (422 Unprocessable Entity): they must belong to {host} "
    "and the key must match the key file at {location}",
}


@dataclass(frozen=True)
class Submission:
    endpoint: str
    host: str
    key: str
    key_location: str
    urls: list[str]

    def body(self) -> bytes:
        return json.dumps(
            {
                "host": self.host,
                "key": self.key,
                "keyLocation": self.key_location,
                "urlList": self.urls,
            },
            ensure_ascii=False,
        ).encode("utf-8")


def _retry_after(value: str | None, attempt: int, now: float) -> float:
    """Seconds to wait: the server's Retry-After (seconds or HTTP date), else backoff."""
    if value and value.strip().isdigit():
        return float(value.strip())
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(when.timestamp() - now, 0.0)
    return min(2.0**attempt, MAX_WAIT)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes


def _post(endpoint: str, body: bytes, deadline: float) -> Answer:
    """One POST, finished by ``deadline`` (time.monotonic) however slowly the server answers.

    Redirects are never followed: IndexNow answers where it is asked, and following one
    would hand the URLs to another host.
    """
    parts = urlsplit(endpoint)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise PublishError("the publish deadline passed before every batch was sent")
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=min(TIMEOUT, remaining))
    expired = threading.Event()

    def give_up() -> None:  # a trickling server cannot hold the socket past the deadline
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(remaining, give_up)
    timer.start()
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(
            "POST", target, body, {"Content-Type": "application/json; charset=utf-8"}
        )
        response = connection.getresponse()
        data = response.read(MAX_ANSWER + 1)
        if expired.is_set():  # cut short: what arrived is not the whole answer
            raise _late(endpoint, remaining)
        return Answer(response.status, response.headers, data)
    except (http.client.HTTPException, OSError) as exc:
        if expired.is_set():
            raise _late(endpoint, remaining) from exc
        if isinstance(exc, http.client.HTTPException):
            problem = (
                f"{endpoint} sent an answer that is not valid HTTP ({type(exc).__name__}); "
                "nothing was recorded — is --endpoint an IndexNow endpoint?"
            )
        else:
            problem = (
                f"could not reach {endpoint}: {exc.strerror or exc}; nothing was recorded, "
                "run publish again when the network is back"
            )
        raise PublishError(problem) from exc
    finally:
        timer.cancel()
        connection.close()


def _late(endpoint: str, seconds: float) -> PublishError:
    return PublishError(
        f"{endpoint} gave no complete answer within {seconds:.0f} s; nothing was recorded, "
        "publish again later"
    )


def _refusal(answer: Answer, submission: Submission) -> str | None:
    """Why a 2xx or 3xx answer is not IndexNow accepting the URLs, if it is not."""
    if 300 <= answer.status < 400:
        where = answer.headers.get("Location") or "elsewhere"
        return (
            f"{submission.endpoint} answered {answer.status}, a redirect to {where}: the URLs "
            "were not handed on (IndexNow answers where it is asked); check --endpoint"
        )
    content_type = (answer.headers.get("Content-Type") or "").lower()
    if answer.status in (200, 202) and ("html" in content_type or answer.body.lstrip()[:1] == b"<"):
        return (
            f"{submission.endpoint} answered {answer.status} with a web page, not an IndexNow "
            "answer (a login or proxy page?); the URLs were not recorded"
        )
    return None


def submit(
    submission: Submission,
    *,
    deadline: float,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> int:
    """POST one batch; return the success status (200 or 202) or raise PublishError.

    ``deadline`` (time.monotonic) bounds the whole exchange, retries and waits included.
    """
    if urlsplit(submission.endpoint).scheme not in ("http", "https"):
        raise PublishError(f"the endpoint must be an http(s) URL, not {submission.endpoint!r}")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        answer = _post(submission.endpoint, submission.body(), deadline)
        refusal = _refusal(answer, submission)
        if refusal:
            raise PublishError(refusal)
        status = answer.status
        if status in (200, 202):
            return status
        if status == 429 or status >= 500:
            what = "too many requests (429)" if status == 429 else f"server error ({status})"
            if attempt == MAX_ATTEMPTS:
                raise PublishError(
                    f"IndexNow answered {what} {MAX_ATTEMPTS} times; giving up for now, "
                    "publish again later"
                )
            wait = _retry_after(answer.headers.get("Retry-After"), attempt, time.time())
            if wait > MAX_WAIT or time.monotonic() + wait >= deadline:
                until = dt.datetime.fromtimestamp(time.time() + wait, dt.UTC)
                raise PublishError(
                    f"IndexNow answered {what} and asks to wait {wait:,.0f} s: publish again "
                    f"after {until:%Y-%m-%d %H:%M} UTC; nothing was recorded"
                )
            say(
                f"IndexNow answered {status}; retrying in {wait:g} s "
                f"(attempt {attempt + 1} of {MAX_ATTEMPTS})"
            )
            sleep(wait)
            continue
        template = FAILURES.get(status, "IndexNow answered an unexpected status {status}")
        raise PublishError(
            template.format(status=status, host=submission.host, location=submission.key_location)
        )
    raise AssertionError("unreachable")  # pragma: no cover
