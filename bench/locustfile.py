"""Locust traffic for ``make soak``: travellers who browse, search, quote, book, pay with
the sandbox and cancel, each at a steady pace (one task per second per user).

    locust -f bench/locustfile.py --headless -u 10 -r 2 -t 120s --host http://127.0.0.1:8150

Needs two environment variables: ``SOAK_TARGETS``, a JSON file of product codes, searches
and bookable (offer, date) slots (written by ``python -m bench.tasks soak-targets``), and
``OMNITRIP_SANDBOX_SECRET``, the server's sandbox secret, to sign the payment callbacks
exactly as the sandbox's ``build_notification`` does (HMAC-SHA256 of ``"<t>." + body``).

A ``409 sold_out`` answer to an order is a correct outcome, not a failure. Everything
else that is not the expected status (a 5xx, a timeout, a wrong state) is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from locust import HttpUser, constant_pacing, task

TARGETS: dict[str, Any] = json.loads(open(os.environ["SOAK_TARGETS"]).read())  # noqa: SIM115
SECRET = os.environ["OMNITRIP_SANDBOX_SECRET"].encode()
JSON = {"Content-Type": "application/json"}


def signed_notification(payment: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The sandbox's signed ``payment.succeeded`` callback for ``payment`` (API shape)."""
    created = int(time.time())
    body = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(10)}",
            "type": "payment.succeeded",
            "payment": payment["code"],
            "amount_minor": payment["amount"]["amount_minor"],
            "currency": payment["amount"]["currency"],
            "created": created,
        },
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(SECRET, f"{created}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {**JSON, "Omnitrip-Signature": f"t={created},v1={mac}"}


class Traveller(HttpUser):
    wait_time = constant_pacing(1)

    @task(40)
    def browse(self) -> None:
        code = random.choice(TARGETS["products"])
        self.client.get(f"/api/v1/products/{code}", name="/api/v1/products/[code]")

    @task(25)
    def search(self) -> None:
        query = urlencode(random.choice(TARGETS["searches"]))
        self.client.get(f"/api/v1/products?{query}", name="/api/v1/products?[search]")

    @task(10)
    def quote(self) -> None:
        offer, day = random.choice(TARGETS["slots"])
        body = {"items": [{"offer": offer, "start_date": day, "adults": 1}]}
        self.client.post("/api/v1/quotes", json=body, name="/api/v1/quotes")

    @task(8)
    def book(self) -> None:
        """Book and walk away: the hold expires later (the scheduler releases it)."""
        self._book()

    @task(12)
    def book_and_pay(self) -> None:
        order = self._book()
        if order:
            self._pay(order)

    @task(5)
    def book_pay_and_cancel(self) -> None:
        order = self._book()
        if order and self._pay(order):
            self._cancel(order)

    @task(3)
    def book_and_cancel(self) -> None:
        order = self._book()
        if order:
            self._cancel(order)

    # --- steps ---------------------------------------------------------------------------

    def _book(self) -> dict[str, Any] | None:
        offer, day = random.choice(TARGETS["slots"])
        body = {
            "items": [{"offer": offer, "start_date": day, "adults": 1}],
            "contact": {"name": "Soak Traveller", "email": "soak@example.com"},
        }
        headers = {**JSON, "Idempotency-Key": secrets.token_hex(12)}
        with self.client.post(
            "/api/v1/orders", json=body, headers=headers, name="/api/v1/orders", catch_response=True
        ) as response:
            if response.status_code == 201:
                data = response.json()
                return {"code": data["order"]["code"], "token": data["access_token"]}
            if response.status_code == 409 and _code(response) == "sold_out":
                response.success()  # a correct answer when the slot is full
                return None
            response.failure(f"{response.status_code} {_code(response)}")
            return None

    def _pay(self, order: dict[str, Any]) -> bool:
        token = {**JSON, "X-Order-Token": order["token"]}
        with self.client.post(
            f"/api/v1/orders/{order['code']}/payments",
            json={"provider": "sandbox"},
            headers=token,
            name="/api/v1/orders/[code]/payments",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {_code(response)}")
                return False
            payment = response.json()["payment"]
        body, headers = signed_notification(payment)
        with self.client.post(
            "/api/v1/payments/sandbox/notify",
            data=body,
            headers=headers,
            name="/api/v1/payments/sandbox/notify",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {_code(response)}")
                return False
        with self.client.get(
            f"/api/v1/orders/{order['code']}",
            headers={"X-Order-Token": order["token"]},
            name="/api/v1/orders/[code]",
            catch_response=True,
        ) as response:
            status = response.json().get("status") if response.status_code == 200 else None
            if status != "confirmed":
                response.failure(f"{response.status_code}: order is {status}, not confirmed")
                return False
        return True

    def _cancel(self, order: dict[str, Any]) -> None:
        with self.client.post(
            f"/api/v1/orders/{order['code']}/cancel",
            headers={"X-Order-Token": order["token"]},
            name="/api/v1/orders/[code]/cancel",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {_code(response)}")
            elif response.json()["order"]["status"] != "cancelled":
                response.failure("the order is not cancelled")


def _code(response: Any) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""
