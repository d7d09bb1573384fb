"""The secret scan: detect-secrets' detectors plus the AI-gateway key shapes they miss."""

from __future__ import annotations

import pytest

from generator.rulebook.secrets_scan import find_secrets

FOUND = {
    "aws": ("key AKIAIOSFODNN7EXAMPLQ here", "AWS Access Key"),
    "github": ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a ok", "GitHub Token"),
    "slack": ("xoxb-123456789012-1234567890123-abcdefghijABCDEFGHIJklmn", "Slack Token"),
    "stripe": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe Access Key"),
    "jwt": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "JSON Web Token",
    ),
    "private-key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA", "Private Key"),
    "openai-project": ("OPENAI_API_KEY=sk-proj-4f9XaB2c7D8e1F0g3H5i6J", "API key or bearer token"),
    "anthropic": ("x-api-key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx", "API key or bearer token"),
    "bearer": ("Authorization: Bearer Zx81LmQ0pR7sT2vW9yB4nC6dE", "API key or bearer token"),
    "random": ("token 9fK2mQ7xL4pZ8wR1vT6yB3nC5hJ0gD2s extra", "long random token"),
}


@pytest.mark.parametrize(("text", "kind"), FOUND.values(), ids=FOUND.keys())
def test_secrets_are_found(text: str, kind: str) -> None:
    found = list(find_secrets(text))
    assert [k for k, _ in found] == [kind]
    assert all("…" in masked and len(masked) <= 7 for _, masked in found)  # never in full


@pytest.mark.parametrize(
    "text",
    [
        "export OPENAI_API_KEY=sk-your-key",
        "Authorization: Bearer YOUR_API_KEY",
        "Authorization: Bearer $OPENAI_API_KEY",
        'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
        "sk-xxxxxxxxxxxxxxxxxxxxxxxx",
        "Bearer <your-token-here>",
        "请求被限流 rate_limit_exceeded https://api.example.com/v1/chat/completions",
        "ERR_CERT_AUTHORITY_INVALID UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    ],
)
def test_placeholders_and_prose_pass(text: str) -> None:
    assert list(find_secrets(text)) == []
