"""Users with verified addresses, roles and enrolled TOTP, and codes computed as a phone would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import struct
import time
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from kruzhok.accounts.models import DepartmentMembership, Membership, User
from kruzhok.catalog.models import Department, Organization

PASSWORD = "Kruzhok-Test-Pass-2026"
_seq = itertools.count(1)


def user(email: str | None = None, *, password: str = PASSWORD, verified: bool = True, **kw: Any) -> User:
    email = email or f"user{next(_seq)}@example.org"
    kw.setdefault("username", email.split("@")[0] + f"-{next(_seq)}")
    account = User.objects.create_user(email=email, password=password, **kw)
    EmailAddress.objects.create(user=account, email=email, verified=verified, primary=True)
    return account


def provider(organization: Organization, role: str = "staff", **kw: Any) -> User:
    account = user(**kw)
    Membership.objects.create(user=account, organization=organization, role=role)
    return account


def department_member(department: Department, **kw: Any) -> User:
    account = user(**kw)
    DepartmentMembership.objects.create(user=account, department=department)
    return account


def enrol_totp(account: User) -> str:
    """Give `account` an authenticator app as allauth stores one; returns the secret."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    Authenticator.objects.create(user=account, type=Authenticator.Type.TOTP, data={"secret": secret})
    return secret


def totp_code(secret: str, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    """RFC 6238, written out here so the test does not trust the code it is testing."""
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"
