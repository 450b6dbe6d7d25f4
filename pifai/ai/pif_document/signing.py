"""PAdES signature of a signed version's PDF (pyHanko), and its validation.

The signature covers the whole file: any later change to it makes validation fail. The
reason names the Safety Assessor and the snapshot hash the SA signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

FIELD_NAME = "PIF-SA-Signature"


def signature_reason(signer_name: str | None, snapshot_sha256: str | None) -> str:
    return (
        f"PIF signed by Safety Assessor {signer_name or 'unknown'}; "
        f"snapshot SHA-256 {snapshot_sha256 or 'unknown'}"
    )


def sign_file(
    source: Path, target: Path, *, key_file: Path, cert_file: Path, reason: str, name: str
) -> None:
    """Write ``source`` signed (PAdES baseline, SHA-256) to ``target``."""
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(key_file), str(cert_file), key_passphrase=None
    )
    if signer is None:
        raise ValueError("the signing key or certificate could not be read")
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    with source.open("rb") as handle, target.open("wb") as out:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        signers.sign_pdf(writer, metadata, signer=signer, output=out)


@dataclass(frozen=True)
class Verification:
    valid: bool
    message: str
    reason: str | None = None
    signer: str | None = None


def load_certificate(cert_file: Path) -> asn1_x509.Certificate:
    data = cert_file.read_bytes()
    if data.lstrip().startswith(b"-----"):
        from asn1crypto import pem

        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def verify_file(path: Path, trusted: list[asn1_x509.Certificate]) -> Verification:
    """Whether ``path`` carries an intact, trusted signature covering the entire file."""
    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            signatures = reader.embedded_signatures
            if not signatures:
                return Verification(False, "the file has no signature")
            signature = signatures[-1]
            status = validate_pdf_signature(
                signature, ValidationContext(trust_roots=trusted, allow_fetching=False)
            )
            reason = signature.sig_object.get("/Reason")
            whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            ok = bool(status.intact and status.valid and status.trusted and whole)
            detail = (
                "valid signature covering the whole file"
                if ok
                else f"invalid: intact={status.intact} valid={status.valid} "
                f"trusted={status.trusted} coverage={status.coverage}"
            )
            return Verification(
                ok,
                detail,
                None if reason is None else str(reason),
                status.signing_cert.subject.human_friendly,
            )
    except Exception as exc:  # a damaged file is an invalid one, whatever broke
        return Verification(False, f"invalid: {type(exc).__name__}: {exc}")
