"""TLS for a server the office network can reach: a certificate given, or a self-signed one
made with the ``cryptography`` library and kept in the workspace (``.tls/``, 0600) so its
SHA-256 fingerprint — printed for staff to compare in the browser — stays the same across
restarts. ``now`` (the certificate's start) is passed in by the server edge.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..errors import XuejiError

FOLDER = ".tls"
VALID_DAYS = 3650


def fingerprint(cert_file: str | Path) -> str:
    """The certificate's SHA-256 fingerprint as browsers show it (``AB:CD:…``)."""
    try:
        cert = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    except (OSError, ValueError) as exc:
        raise XuejiError(f"证书文件「{cert_file}」无法读取：{exc}") from None
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def self_signed(workspace: str | Path, hosts: list[str], now: dt.datetime) -> tuple[Path, Path]:
    """The workspace's self-signed certificate and key (made once, for ``hosts``)."""
    folder = Path(workspace) / FOLDER
    cert_file, key_file = folder / "server.crt", folder / "server.key"
    if cert_file.is_file() and key_file.is_file():
        return cert_file, key_file
    folder.mkdir(mode=0o700, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", *hosts]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xueji-audit")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(key_file, key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    _write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
