"""IndexNow (indexnow.org): the key, its key file, and one submission with retries.

Responses, as documented: 200 OK, 202 accepted (key validation pending),
400 bad request, 403 key not valid, 422 URLs not of this host or key mismatch,
429 too many requests. 429 and 5xx are retried with backoff that respects
Retry-After, a bounded number of times.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import Settings
from generator.errors import BuildError, PublishError
from generator.files import write_text
from generator.outputs import BuildContext

DEFAULT_ENDPOINT = "https://api.indexnow.org/indexnow"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,128}$")
MAX_URLS_PER_REQUEST = 10_000
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0
TIMEOUT = 30.0

FAILURES = {
    400: "IndexNow rejected the request as malformed (400 Bad Request)",
    403: "IndexNow says the key is not valid (403 Forbidden): the key file {location} "
    "is not reachable or does not contain the key; deploy the site, then publish again",
    422: "IndexNow refused the URLs (422 Unprocessable Entity): they must belong to {host} "
    "and the key must match the key file at {location}",
}


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise PublishError(
            "the IndexNow key must be 8 to 128 characters of letters, digits and '-' "
            f"(got {len(key)} characters{'' if key.isascii() else ', not all ASCII'})"
        )
    return key


def resolve_key(explicit: str | None, settings: Settings) -> str | None:
    """--key, else $INDEXNOW_KEY, else mkdocs.yml extra.indexnow.key; None when unset."""
    indexnow = settings.extra.get("indexnow") or {}
    key = (
        explicit
        or os.environ.get("INDEXNOW_KEY")
        or (indexnow.get("key") if isinstance(indexnow, dict) else None)
    )
    return check_key(str(key)) if key else None


def key_file_name(key: str) -> str:
    return f"{key}.txt"


def write_key_file(ctx: BuildContext, site_dir: Path) -> list[Path]:
    """The key file /<key>.txt, when a key is configured (UTF-8, the key alone)."""
    try:
        key = resolve_key(None, ctx.settings)
    except PublishError as exc:
        raise BuildError(str(exc)) from exc
    return [write_text(site_dir, key_file_name(key), key)] if key else []


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


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After (seconds or HTTP date), else backoff."""
    if value:
        if value.strip().isdigit():
            return min(float(value), MAX_WAIT)
        when = email.utils.parsedate_to_datetime(value)
        if when is not None:
            return min(max(when.timestamp() - time.time(), 0.0), MAX_WAIT)
    return min(2.0**attempt, MAX_WAIT)


def submit(
    submission: Submission,
    *,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> int:
    """POST one batch; return the success status (200 or 202) or raise PublishError."""
    if urlsplit(submission.endpoint).scheme not in ("http", "https"):
        raise PublishError(f"the endpoint must be an http(s) URL, not {submission.endpoint!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        submission.endpoint,
        data=submission.body(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            status, retry_after = exc.code, exc.headers.get("Retry-After")
            exc.close()
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PublishError(
                f"could not reach {submission.endpoint}: {reason}; nothing was recorded, "
                "run publish again when the network is back"
            ) from exc
        if status == 429 or status >= 500:
            if attempt == MAX_ATTEMPTS:
                what = "too many requests (429)" if status == 429 else f"server error ({status})"
                raise PublishError(
                    f"IndexNow answered {what} {MAX_ATTEMPTS} times; giving up for now, "
                    "publish again later"
                )
            wait = _retry_after(retry_after, attempt)
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
