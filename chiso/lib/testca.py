"""A TEST certificate authority made on the spot, and a signer it certifies (no Django).

Only for `chiso demo` and the tests: it stands in for Ban Cơ yếu's authority so a
demo can show a signed annex. Its name says it is a test, its key lives in memory,
and nothing it signs is trusted unless its PEM file is named as a trust root.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chiso.lib.signed_pdf import outside_event_loop

TEST_AUTHORITY = "chiso TEST CA - chỉ để thử, không dùng thật"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def pem(self) -> bytes:
        """The authority's certificate, for a trust-roots file."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, organisation: str, days: int = 730) -> Signer:
        """A signing certificate for a person, and its key."""
        key = ec.generate_private_key(ec.SECP256R1())
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organisation))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        return Signer(key, certificate, self)


def make_authority(name: str = TEST_AUTHORITY, years: int = 10) -> Authority:
    """A new self-signed TEST authority (a fresh key every time)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(name, "chiso (TEST)")
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


@dataclass(frozen=True)
class Signer:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    authority: Authority

    def sign(self, pdf: Any, field: str = "ChuKySo1") -> bytes:
        """`pdf` with a signature appended as an incremental update, as an e-office does.

        `pdf` is the file's bytes, or a pyHanko IncrementalPdfFileWriter holding other
        changes to sign in the same revision (the tests make a forgery that way)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyHanko imports DSA support, deprecated
            from asn1crypto import keys
            from asn1crypto import x509 as asn1_x509
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.sign import signers
            from pyhanko_certvalidator.registry import SimpleCertificateStore

            signer: Any = signers.SimpleSigner(
                signing_cert=asn1_x509.Certificate.load(_der(self.certificate)),
                signing_key=keys.PrivateKeyInfo.load(
                    self.key.private_bytes(
                        serialization.Encoding.DER,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                ),
                cert_registry=SimpleCertificateStore.from_certs(
                    [asn1_x509.Certificate.load(_der(self.authority.certificate))]
                ),
            )
            writer = (
                IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
                if isinstance(pdf, bytes)
                else pdf
            )
            out = outside_event_loop(
                lambda: signers.sign_pdf(
                    writer, signers.PdfSignatureMetadata(field_name=field), signer=signer
                )
            )
        return bytes(out.getvalue())
