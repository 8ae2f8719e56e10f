"""The callback signature: our HMAC, checked against an independent one, and every refusal."""

from __future__ import annotations

import hashlib

import pytest

from omnitrip.payments.errors import InvalidSignature
from omnitrip.plugins.payment_sandbox import signing

SECRET = "whsec-test-0123456789"
BODY = b'{"id":"evt_1","type":"payment.succeeded"}'
NOW = 1_900_000_000


def textbook_hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC as RFC 2104 defines it, H((K ^ opad) || H((K ^ ipad) || m)), without hmac.

    ``cryptography`` is not installed, so this is the independent implementation.
    """
    block_size = 64
    if len(key) > block_size:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block_size, b"\x00")
    inner_key = bytes(byte ^ 0x36 for byte in key)
    outer_key = bytes(byte ^ 0x5C for byte in key)
    inner = hashlib.sha256(inner_key + message).digest()
    return hashlib.sha256(outer_key + inner).hexdigest()


def test_the_textbook_hmac_matches_rfc_4231_test_case_2():
    # Checks the reference implementation itself against the published vector.
    assert textbook_hmac_sha256(b"Jefe", b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_sign_produces_timestamp_and_v1_mac_over_timestamp_dot_body():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW)

    expected = textbook_hmac_sha256(SECRET.encode(), f"{NOW}.".encode() + BODY)
    assert header == f"t={NOW},v1={expected}"


def test_sign_with_a_key_longer_than_a_block_matches_the_textbook_hmac():
    long_secret = "k" * 100

    header = signing.sign(BODY, secret=long_secret, timestamp=NOW)

    expected = textbook_hmac_sha256(long_secret.encode(), f"{NOW}.".encode() + BODY)
    assert header == f"t={NOW},v1={expected}"


def test_a_signed_body_verifies():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW)

    assert signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW) is None


def test_a_signature_exactly_at_the_tolerance_edge_verifies():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW - 300)

    signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


def test_a_tampered_body_is_refused():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW)

    with pytest.raises(InvalidSignature, match="does not match"):
        signing.verify(
            BODY.replace(b"succeeded", b"failed"), header, secret=SECRET, tolerance=300, now=NOW
        )


def test_a_signature_made_with_another_secret_is_refused():
    header = signing.sign(BODY, secret="someone-else", timestamp=NOW)

    with pytest.raises(InvalidSignature, match="does not match"):
        signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


def test_a_moved_timestamp_breaks_the_mac():
    mac = signing.compute_mac(BODY, secret=SECRET, timestamp=NOW - 3_600)

    with pytest.raises(InvalidSignature, match="does not match"):
        signing.verify(BODY, f"t={NOW},v1={mac}", secret=SECRET, tolerance=300, now=NOW)


def test_a_stale_signature_is_refused():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW - 301)

    with pytest.raises(InvalidSignature, match="outside the accepted window"):
        signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


def test_a_signature_from_the_future_is_refused():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW + 301)

    with pytest.raises(InvalidSignature, match="outside the accepted window"):
        signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_header_is_refused(header):
    with pytest.raises(InvalidSignature, match="Missing"):
        signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"t={NOW}",
        "v1=" + "0" * 64,
        f"t=abc,v1={'0' * 64}",
        f"t=-{NOW},v1={'0' * 64}",
        f"t={NOW},t={NOW},v1={'0' * 64}",
        f"t=١٢٣,v1={'0' * 64}",  # non-ASCII digits
        f"t={NOW},v0={'0' * 64}",
    ],
)
def test_a_malformed_header_is_refused(header):
    with pytest.raises(InvalidSignature):
        signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


def test_during_key_rotation_any_one_matching_v1_entry_is_enough():
    old_mac = signing.compute_mac(BODY, secret="old-secret", timestamp=NOW)
    new_mac = signing.compute_mac(BODY, secret="new-secret", timestamp=NOW)
    header = f"t={NOW},v1={old_mac},v1={new_mac}"

    signing.verify(BODY, header, secret="old-secret", tolerance=300, now=NOW)
    signing.verify(BODY, header, secret="new-secret", tolerance=300, now=NOW)
    with pytest.raises(InvalidSignature):
        signing.verify(BODY, header, secret="third-secret", tolerance=300, now=NOW)


def test_unknown_schemes_beside_v1_are_ignored():
    header = signing.sign(BODY, secret=SECRET, timestamp=NOW) + ",v2=whatever"

    signing.verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)


def test_header_lookup_ignores_case():
    headers = {"omnitrip-signature": "t=1,v1=ab", "Content-Type": "application/json"}

    assert signing.header_value(headers) == "t=1,v1=ab"
    assert signing.header_value({"Content-Type": "application/json"}) is None
