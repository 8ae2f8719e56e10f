"""Gateway answers are believed only on the exact text Alipay signed."""

from __future__ import annotations

import pytest

from omnitrip.payments.errors import ProviderError
from omnitrip.plugins.payment_alipay import config
from omnitrip.plugins.payment_alipay.errors import UnverifiedResponse
from omnitrip.plugins.payment_alipay.gateway import verified_response

from . import fake_alipay

METHOD = "alipay.trade.query"
# Spaced and with escaped slashes and unicode: re-serialising it would change the bytes.
OBJECT = '{ "code" : "10000", "msg":"Success", "url":"https:\\/\\/x", "note":"\\u6ec7\\u6c60" }'


def body(keys, obj: str = OBJECT, *, extra: str = "") -> str:
    sign = fake_alipay.rsa2_sign(keys.alipay, obj)
    return f'{{\n  "alipay_trade_query_response" : {obj} ,\n  "sign" : "{sign}"{extra}\n}}'


def test_the_signature_is_checked_over_the_response_objects_text_as_sent(alipay):
    result = verified_response(config.credentials(), METHOD, body(alipay))

    assert result == {"code": "10000", "msg": "Success", "url": "https://x", "note": "滇池"}


def test_other_members_such_as_a_certificate_serial_do_not_disturb_it(alipay):
    raw = body(alipay, extra=', "alipay_cert_sn": "abc", "nested": {"a": [1, {"b": "}"}]}')

    assert verified_response(config.credentials(), METHOD, raw)["code"] == "10000"


def test_a_response_object_reencoded_after_signing_is_refused(alipay):
    raw = body(alipay).replace(OBJECT, OBJECT.replace(" : ", ":"))

    with pytest.raises(UnverifiedResponse, match="does not verify"):
        verified_response(config.credentials(), METHOD, raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[]", "not a JSON object"),
        ('{"alipay_trade_query_response": {"code": "10000"}', "Expected ',' or '}'"),
        ('{"alipay_trade_query_response": {"code": "10000"}} trailing', "Text follows"),
        ('{"sign": "abc"}', "no alipay_trade_query_response"),
        ('{"alipay_trade_query_response": ["10000"], "sign": "abc"}', "not an object"),
    ],
)
def test_an_answer_that_is_not_the_gateways_json_is_a_provider_error(alipay, raw, message):
    with pytest.raises(ProviderError, match=message):
        verified_response(config.credentials(), METHOD, raw)


def test_a_gateway_level_error_response_is_read_but_only_if_signed(alipay):
    obj = '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature"}'
    signed = f'{{"error_response":{obj},"sign":"{fake_alipay.rsa2_sign(alipay.alipay, obj)}"}}'

    assert verified_response(config.credentials(), METHOD, signed)["code"] == "40002"
    with pytest.raises(UnverifiedResponse, match=r"unsigned: 40002 isv\.invalid-signature"):
        verified_response(config.credentials(), METHOD, f'{{"error_response":{obj},"sign":""}}')
