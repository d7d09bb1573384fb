"""`triagebook publish`: tell IndexNow exactly which URLs changed since the last publish.

The built site's manifest (URL -> hash) is compared with the state of the last
successful publish. Added, changed and deleted URLs are submitted, in batches of
at most 10,000. A batch that IndexNow accepted is recorded at once (atomically);
a failed batch is not, so its URLs are sent again next time. Accepted URLs are
not re-sent within 10 minutes unless forced; failed ones are never held back.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import Settings
from generator.errors import PublishError
from generator.outputs.keyfile import key_file_name, resolve_key
from generator.outputs.manifest import MANIFEST, read_manifest
from generator.publish.indexnow import (
    DEADLINE,
    DEFAULT_ENDPOINT,
    MAX_URLS_PER_REQUEST,
    Submission,
    submit,
)

DEFAULT_STATE = Path(".triagebook/indexnow-state.json")
THROTTLE_SECONDS = 600
STATE_VERSION = 1
PREVIEW_EVENTS = {"pull_request", "pull_request_target"}


@dataclass
class State:
    """What IndexNow last accepted: each URL's hash and when it was sent."""

    urls: dict[str, str] = field(default_factory=dict)
    sent_at: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(dict(raw["urls"]), {k: float(v) for k, v in raw["sent_at"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PublishError(
                f"{path} is not a publish state file ({exc}); move it away to publish all URLs"
            ) from exc

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old state or the new one, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {
                "version": STATE_VERSION,
                "urls": dict(sorted(self.urls.items())),
                "sent_at": dict(sorted(self.sent_at.items())),
            },
            indent=2,
        )
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class Changes:
    added: list[str]
    changed: list[str]
    deleted: list[str]

    @property
    def urls(self) -> list[str]:
        return sorted(self.added + self.changed + self.deleted)


def compute_changes(current: dict[str, str], state: State) -> Changes:
    return Changes(
        added=sorted(url for url in current if url not in state.urls),
        changed=sorted(
            url for url, h in current.items() if url in state.urls and state.urls[url] != h
        ),
        deleted=sorted(url for url in state.urls if url not in current),
    )


def check_publishable(settings: Settings, manifest_url: str) -> str:
    """The site's host, or a PublishError when publishing would be wrong here."""
    if os.environ.get("GITHUB_EVENT_NAME") in PREVIEW_EVENTS:
        raise PublishError("refusing to publish from a pull-request build; publish from main")
    site_url = settings.site_url_configured and settings.site_url
    if not site_url:
        raise PublishError("site_url is not set in mkdocs.yml; IndexNow needs the public URL")
    host = urlsplit(site_url).hostname or ""
    if _is_local(host):
        raise PublishError(f"site_url points at {host}; publish only the public site")
    if manifest_url != site_url:
        raise PublishError(
            f"the site was built for {manifest_url} but mkdocs.yml says {site_url}; rebuild"
        )
    return host


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".test", ".invalid")):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False  # a host name


@dataclass(frozen=True)
class PublishOptions:
    site_dir: Path
    state_file: Path = DEFAULT_STATE
    endpoint: str = DEFAULT_ENDPOINT
    key: str | None = None
    dry_run: bool = False
    force: bool = False
    timeout: float = DEADLINE  # seconds for the whole publish


def _utc(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def publish(
    settings: Settings,
    options: PublishOptions,
    *,
    say: Callable[[str], None] = print,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Submit the changed URLs; return those IndexNow accepted (or would, with dry_run)."""
    if not (options.site_dir / MANIFEST).is_file():
        raise PublishError(f"{options.site_dir} has no {MANIFEST}: run `triagebook build` first")
    manifest = read_manifest(options.site_dir)
    host = check_publishable(settings, str(manifest["site_url"]))
    key = resolve_key(options.key, settings)
    if key is None:
        raise PublishError(
            "no IndexNow key: pass --key, set INDEXNOW_KEY, or set extra.indexnow.key "
            "in mkdocs.yml (then build, so the key file is deployed)"
        )
    current: dict[str, str] = dict(manifest["urls"])  # type: ignore[call-overload]
    foreign = sorted(url for url in current if urlsplit(url).hostname != host)
    if foreign:
        raise PublishError(f"the manifest lists URLs of another host: {foreign[0]}")
    state = State.load(options.state_file)
    changes = compute_changes(current, state)
    urls = changes.urls
    recent: set[str] = set()
    if not options.force:
        recent = {u for u in urls if now() - state.sent_at.get(u, 0.0) < THROTTLE_SECONDS}
        if recent:
            until = max(state.sent_at[u] for u in recent) + THROTTLE_SECONDS
            say(
                f"holding back {len(recent)} changed URL(s) sent less than 10 minutes ago, "
                f"until {_utc(until)}: publish again then, or use --force"
            )
        urls = [u for u in urls if u not in recent]
    if not urls:
        say(
            "no request sent"
            if recent
            else "nothing changed since the last publish; no request sent"
        )
        return []
    say(
        f"{len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.deleted)} deleted: {len(urls)} URL(s) to submit"
    )
    if options.dry_run:
        for url in urls:
            say(f"  {url}")
        say("dry run: nothing was sent and the state was not changed")
        return urls
    key_location = settings.url(key_file_name(key))
    deadline = time.monotonic() + options.timeout
    accepted: list[str] = []
    for start in range(0, len(urls), MAX_URLS_PER_REQUEST):
        batch = urls[start : start + MAX_URLS_PER_REQUEST]
        status = submit(
            Submission(options.endpoint, host, key, key_location, batch),
            deadline=deadline,
            sleep=sleep,
            say=say,
        )
        for url in batch:
            if url in current:
                state.urls[url] = current[url]
            else:
                state.urls.pop(url, None)
            state.sent_at[url] = now()
        state.save(options.state_file)
        accepted += batch
        note = " (key validation pending)" if status == 202 else ""
        say(f"IndexNow accepted {len(batch)} URL(s) with {status}{note}")
    return accepted
