"""The package file: build, read safely, sign, verify, encrypt (DESIGN.md §4, SYNC.md §4).

A package is a zip holding exactly ``manifest.json``, the payload (``payload.jsonl``, or
``payload.enc`` when encrypted) and ``signature`` (Ed25519 over the exact manifest bytes).
Nothing here touches a database: ``build`` turns records into bytes, ``read`` turns bytes
into a checked ``Package`` or raises ``PackageError`` with a Vietnamese reason.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import io
import itertools
import json
import operator
import os
import re
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from queue import Queue
from typing import Any, NamedTuple

import orjson
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gnapp.domain.canonical import PLAIN_TYPES, canonical_bytes, encode_plain
from gnapp.domain.errors import GnappError

FORMAT = (1, 1)   # 1.1: an encrypted payload is compressed first
SUFFIX = ".gnsync"
KINDS = ("changes", "snapshot", "ack", "recovery")
MANIFEST, SIGNATURE = "manifest.json", "signature"
PAYLOAD, PAYLOAD_ENC = "payload.jsonl", "payload.enc"
ENCRYPTION = "X25519-HKDF-SHA256-ChaCha20Poly1305"
# How a payload is compressed before it is encrypted (the header says so; none before 1.1).
SEALED_COMPRESSION = "zlib"

# Reading limits: a package is refused before anything is unpacked beyond these.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, above which an entry is taken for a zip bomb
_BOMB_FLOOR = 1024 * 1024  # small entries may compress well without being bombs

_PART = re.compile(r"^(?P<base>.+)\.p(?P<no>\d{2,3})-of-(?P<total>\d{2,3})$")


class PackageError(GnappError):
    """The package cannot be used; nothing was written. ``file`` names it."""

    def __init__(self, file: str, reason: str):
        self.file = file
        self.reason = reason
        super().__init__(f"Gói {file}: {reason}")


@dataclass(frozen=True)
class Package:
    """A package read from a file, its signature not yet checked against a known key."""

    file: str
    manifest: dict
    manifest_bytes: bytes
    signature: bytes
    payload: bytes  # still encrypted when ``manifest["encryption"]`` is set

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def stream(self) -> dict:
        return self.manifest["stream"]

    @property
    def package_no(self) -> int:
        return self.manifest["package_no"]

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def sender_key(self) -> str:
        return self.manifest["sender"]["sign_public"]

    @property
    def content(self) -> bytes:
        """The package rebuilt as a file (to keep while it is held)."""
        return _zip(self.manifest_bytes, self.signature, self.payload,
                    encrypted=bool(self.manifest.get("encryption")))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def file_name(from_unit: str, to_unit: str, package_no: int) -> str:
    return f"{from_unit}_{to_unit}_{package_no:05d}{SUFFIX}"


def encode_records(records: Iterable[Mapping[str, Any]]) -> bytes:
    """The payload: one canonical JSON record per line."""
    return b"".join(encode_pieces(records))


# Records per piece of payload that ``encode_pieces`` yields (about 7 MB): each piece
# handed to the compressing thread costs a few waits for the GIL (up to 5 ms each), so
# pieces are few (1,000 records a piece: 0.80 s for a commune's snapshot; 8,000: 0.59 s).
RECORDS_PER_PIECE = 8000
# The keys of a row record, and those of its plain values (``record_bytes``).
_ROW_RECORD = frozenset({"type", "table", "id", "version", "base_version", "updated_at",
                         "history", "row"})
_RECORD_SCALARS = operator.itemgetter("type", "table", "id", "version", "base_version",
                                      "updated_at")


class Line(NamedTuple):
    """A record its maker has already written in canonical bytes (``data``, no newline)."""

    table: str
    data: bytes


def encode_pieces(records: Iterable[Mapping[str, Any] | Line]) -> Iterator[bytes]:
    """The payload in pieces of ``RECORDS_PER_PIECE`` lines, encoded as they are asked for."""
    it = iter(records)
    while piece := b"".join(record_bytes(r) + b"\n"
                            for r in itertools.islice(it, RECORDS_PER_PIECE)):
        yield piece


def record_bytes(record: Mapping[str, Any] | Line) -> bytes:
    """The canonical bytes of one record (``canonical_bytes``); a ``Line`` is already
    written. A row record, nearly every record of a package, has its value types checked a
    part at a time (its own values, its row's, each history entry's) rather than value by
    value."""
    if type(record) is Line:
        return record.data
    if type(record) is dict and record.keys() == _ROW_RECORD:
        row, history = record["row"], record["history"]
        if (type(row) is dict and type(history) is list
                and set(map(type, _RECORD_SCALARS(record))) <= PLAIN_TYPES
                and set(map(type, row)) <= {str} and set(map(type, row.values())) <= PLAIN_TYPES
                and all(type(h) is list and set(map(type, h)) <= PLAIN_TYPES for h in history)):
            data = encode_plain(record)
            if data is not None:
                return data
    return canonical_bytes(record)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a package is made or taken in: a package is
    many small dicts and lists that live until they are written (and hold no cycles); the
    collector would walk them again and again as they pile up, for a tenth to a fifth of a
    large package's time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def decode_records(file: str, payload: bytes) -> list[dict]:
    return list(iter_records(file, payload))


def iter_records(file: str, payload: bytes) -> Iterator[dict]:
    """The payload's records one by one (``PackageError`` naming the first bad line)."""
    start, number = 0, 0
    while start < len(payload):
        end = payload.find(b"\n", start)
        end = len(payload) if end < 0 else end
        line, start, number = payload[start:end], end + 1, number + 1
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise PackageError(file, f"dòng {number} của dữ liệu gói không đọc được.") from None
        if not isinstance(record, dict):
            raise PackageError(file, f"dòng {number} của dữ liệu gói không đúng cấu trúc.")
        yield record


def encrypt(payload: bytes, recipient_public_b64: str) -> tuple[bytes, dict]:
    """Compress, then encrypt for the holder of an X25519 key (a ciphertext does not
    compress: the zip around it cannot do it); returns the ciphertext and its header."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(_unb64(recipient_public_b64)))
    eph_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _derive(shared, eph_public)
    nonce = os.urandom(12)
    header = {"alg": ENCRYPTION, "compression": SEALED_COMPRESSION,
              "ephemeral_public": _b64(eph_public), "nonce": _b64(nonce),
              "recipient_public": recipient_public_b64}
    return ChaCha20Poly1305(key).encrypt(nonce, zlib.compress(payload, 6), None), header


def decrypt(file: str, ciphertext: bytes, header: Mapping[str, str],
            private_b64: str | None) -> bytes:
    if header.get("alg") != ENCRYPTION:
        raise PackageError(file, f"kiểu mã hóa «{header.get('alg')}» không được hỗ trợ.")
    if not private_b64:
        raise PackageError(file, "gói được mã hóa nhưng máy này không có khóa giải mã.")
    private = X25519PrivateKey.from_private_bytes(_unb64(private_b64))
    mine = _b64(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    if header.get("recipient_public") != mine:
        raise PackageError(file, "gói được mã hóa cho một máy khác; máy này không giải mã được.")
    eph_public = _unb64(header["ephemeral_public"])
    key = _derive(private.exchange(X25519PublicKey.from_public_bytes(eph_public)), eph_public)
    try:
        plain = ChaCha20Poly1305(key).decrypt(_unb64(header["nonce"]), ciphertext, None)
    except InvalidTag:
        raise PackageError(file, "không giải mã được dữ liệu (tệp bị hỏng hoặc bị sửa).") from None
    compression = header.get("compression")
    if compression is None:     # sealed by gnapp before payloads were compressed first
        return plain
    if compression != SEALED_COMPRESSION:
        raise PackageError(file, f"kiểu nén «{compression}» của dữ liệu mã hóa không được hỗ "
                                 "trợ; cần cập nhật phần mềm.")
    return _inflate(file, plain)


def _inflate(file: str, data: bytes) -> bytes:
    """A decrypted payload unpacked, within the limits a zip entry has (``_read_entry``)."""
    limit = min(MAX_PAYLOAD_BYTES, _unpack_limit(len(data)))
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise PackageError(file, "không giải nén được dữ liệu đã giải mã (tệp bị hỏng).") from None
    if len(out) > limit:
        raise PackageError(file, "dữ liệu mã hóa quá lớn hoặc nén bất thường (nghi là tệp độc "
                                 "hại).")
    if not inflater.eof:
        raise PackageError(file, "dữ liệu đã giải mã bị cắt cụt (tệp bị hỏng).")
    return out


def _derive(shared: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=b"gnapp sync payload").derive(shared)


def build(manifest: Mapping[str, Any], payload: bytes | Iterable[bytes],
          signing_key: Ed25519PrivateKey, *, encrypt_to: str | None = None
          ) -> tuple[bytes, dict]:
    """The package file's bytes and its final manifest.

    ``payload`` is the payload's bytes or its pieces in order (``encode_pieces``): while
    the caller makes a piece, the one before is hashed and compressed on a second thread.
    ``manifest`` lacks the payload hash and encryption header; they are added here, then
    the manifest bytes are signed as they are written.
    """
    manifest = dict(manifest)
    pieces: Iterable[bytes] = [payload] if isinstance(payload, bytes) else payload
    if encrypt_to:
        sealed, manifest["encryption"] = encrypt(b"".join(pieces), encrypt_to)
        pieces = [sealed]
    else:
        manifest["encryption"] = None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        manifest["payload_sha256"] = _write_behind(z, PAYLOAD_ENC if encrypt_to else PAYLOAD,
                                                   pieces)
        manifest_bytes = canonical_bytes(manifest)
        z.writestr(MANIFEST, manifest_bytes)
        z.writestr(SIGNATURE, signing_key.sign(manifest_bytes))
    return out.getvalue(), manifest


def _write_behind(z: zipfile.ZipFile, name: str, pieces: Iterable[bytes]) -> str:
    """Write the entry ``name`` of ``z`` from ``pieces`` on a second thread, which hashes
    and compresses a piece while the caller makes the next (both release the GIL, so on two
    cores the compression takes no time of its own); returns the entry's SHA-256."""
    queue: Queue[bytes | None] = Queue(maxsize=4)
    digest = hashlib.sha256()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            with z.open(name, "w") as entry:
                while (piece := queue.get()) is not None:
                    digest.update(piece)
                    entry.write(piece)
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)
            while queue.get() is not None:  # let the caller finish putting
                pass

    writer = threading.Thread(target=write, name="package-deflate", daemon=True)
    writer.start()
    try:
        for piece in pieces:
            queue.put(piece)
    finally:
        queue.put(None)
        writer.join()
    if failed:
        raise failed[0]
    return digest.hexdigest()


def _zip(manifest_bytes: bytes, signature: bytes, payload: bytes, *, encrypted: bool) -> bytes:
    """A package's file from its parts, in the order ``build`` writes them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(PAYLOAD_ENC if encrypted else PAYLOAD, payload)
        z.writestr(MANIFEST, manifest_bytes)
        z.writestr(SIGNATURE, signature)
    return out.getvalue()


def _unpack_limit(packed: int) -> int:
    """The most bytes ``packed`` compressed bytes may unpack to before they are taken for a
    zip bomb."""
    return max(_BOMB_FLOOR, MAX_RATIO * max(packed, 1))


def _read_entry(file: str, z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise PackageError(file, f"phần «{info.filename}» quá lớn ({info.file_size} byte).")
    if info.file_size > _unpack_limit(info.compress_size):
        raise PackageError(file, f"phần «{info.filename}» nén bất thường (nghi là tệp độc hại).")
    with z.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise PackageError(file, f"phần «{info.filename}» không đúng kích thước ghi trong tệp.")
    return data


def read_bytes(file: str, data: bytes, *, payload: bool = True) -> Package:
    """Read a package safely: only the three known entries, within the size limits.

    Checks the structure and the payload hash (so a truncated or altered file is refused
    here); the signature is checked by ``verify`` against the sender's key. With
    ``payload=False`` only the manifest and signature are read (the payload is left empty
    and unchecked): enough to order packages before reading them one by one.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PackageError(file, "tệp quá lớn để là một gói đồng bộ.")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise PackageError(file, "tệp không phải gói đồng bộ hoặc đã bị cắt cụt, hỏng.") from None
    names = [i.filename for i in infos]
    for name in names:
        if name not in (MANIFEST, SIGNATURE, PAYLOAD, PAYLOAD_ENC):
            raise PackageError(file, f"gói chứa phần lạ «{name}» (không được phép).")
    if len(set(names)) != len(names):
        raise PackageError(file, "gói chứa phần trùng tên.")
    if MANIFEST not in names or SIGNATURE not in names:
        raise PackageError(file, "gói thiếu bản kê (manifest) hoặc chữ ký.")
    if (PAYLOAD in names) == (PAYLOAD_ENC in names):
        raise PackageError(file, "gói phải có đúng một phần dữ liệu.")
    by_name = {i.filename: i for i in infos}
    try:
        manifest_bytes = _read_entry(file, z, by_name[MANIFEST], MAX_MANIFEST_BYTES)
        signature = _read_entry(file, z, by_name[SIGNATURE], 1024)
        payload_info = by_name.get(PAYLOAD) or by_name[PAYLOAD_ENC]
        content = _read_entry(file, z, payload_info, MAX_PAYLOAD_BYTES) if payload else b""
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, zlib.error):
        raise PackageError(file, "tệp bị hỏng (không giải nén được).") from None
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageError(file, "bản kê (manifest) không đọc được.") from None
    _check_manifest(file, manifest)
    if bool(manifest.get("encryption")) != (PAYLOAD_ENC in names):
        raise PackageError(file, "bản kê và phần dữ liệu không khớp về mã hóa.")
    if payload and hashlib.sha256(content).hexdigest() != manifest["payload_sha256"]:
        raise PackageError(file, "dữ liệu trong gói không khớp mã kiểm tra (tệp bị hỏng hoặc "
                                 "bị sửa).")
    return Package(file, manifest, manifest_bytes, signature, content)


_REQUIRED = {"format": list, "package_id": str, "stream": dict, "package_no": int,
             "previous_hash": str, "kind": str, "schema_version": list, "created_at": str,
             "counts": dict, "payload_sha256": str, "sender": dict}


def _check_manifest(file: str, manifest: Any) -> None:
    if not isinstance(manifest, dict):
        raise PackageError(file, "bản kê (manifest) không đúng cấu trúc.")
    for key, kind in _REQUIRED.items():
        if not isinstance(manifest.get(key), kind):
            raise PackageError(file, f"bản kê thiếu hoặc sai mục «{key}».")
    if manifest["format"][:1] != [FORMAT[0]]:
        raise PackageError(file, f"định dạng gói {manifest['format']} không đọc được; cần cập "
                                 "nhật phần mềm.")
    if manifest["kind"] not in KINDS:
        raise PackageError(file, f"loại gói «{manifest['kind']}» không hợp lệ.")
    if manifest["package_no"] < 1:
        raise PackageError(file, "số thứ tự gói không hợp lệ.")
    for key in ("from_site", "from_unit", "to_unit"):
        if not isinstance(manifest["stream"].get(key), str):
            raise PackageError(file, f"bản kê thiếu «stream.{key}».")
    for key in ("sign_public", "enc_public"):
        if not isinstance(manifest["sender"].get(key), str):
            raise PackageError(file, f"bản kê thiếu khóa của máy gửi («{key}»).")


def verify_signature(package: Package, public_b64: str) -> bool:
    """Whether the manifest was signed by the holder of this Ed25519 key."""
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_b64)).verify(
            package.signature, package.manifest_bytes)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- files and parts ---------------------------------------------------------------------

def split(data: bytes, path: Path, max_bytes: int) -> list[Path]:
    """Write ``data`` as one file, or as numbered parts of at most ``max_bytes`` each."""
    if max_bytes <= 0 or len(data) <= max_bytes:
        path.write_bytes(data)
        return [path]
    chunks = [data[i:i + max_bytes] for i in range(0, len(data), max_bytes)]
    if len(chunks) > 999:
        raise GnappError("Giới hạn kích thước quá nhỏ: gói sẽ bị chia thành hơn 999 phần.")
    width = 3 if len(chunks) > 99 else 2
    paths = []
    for number, chunk in enumerate(chunks, start=1):
        part = path.with_name(f"{path.name}.p{number:0{width}d}-of-{len(chunks):0{width}d}")
        part.write_bytes(chunk)
        paths.append(part)
    return paths


def read_file(path: str | Path, *, payload: bool = True) -> Package:
    """Read a package from a file, joining its parts when ``path`` names one part
    (``payload`` as for ``read_bytes``)."""
    path = Path(path)
    match = _PART.match(path.name)
    if not match:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PackageError(path.name, "tệp quá lớn để là một gói đồng bộ.")
            return read_bytes(path.name, path.read_bytes(), payload=payload)
        except OSError as exc:
            raise PackageError(path.name, f"không đọc được tệp ({exc.strerror}).") from None
    base, total = match["base"], int(match["total"])
    width = len(match["no"])
    chunks = []
    for number in range(1, total + 1):
        part = path.with_name(f"{base}.p{number:0{width}d}-of-{total:0{width}d}")
        if not part.exists():
            raise PackageError(base, f"thiếu phần {number}/{total} ({part.name}).")
        chunks.append(part.read_bytes())
    return read_bytes(base, b"".join(chunks), payload=payload)


def package_name(path: str | Path) -> str:
    """The name a package file is known by (its ``Package.file``, its reports' ``file``):
    the file's name, or the common name of its parts."""
    match = _PART.match(Path(path).name)
    return match["base"] if match else Path(path).name


def group_parts(paths: Iterable[str | Path]) -> list[Path]:
    """The packages named by ``paths``: one entry per package, parts collapsed to part 1."""
    seen: dict[str, Path] = {}
    for path in map(Path, paths):
        match = _PART.match(path.name)
        key = str(path.with_name(match["base"])) if match else str(path)
        if key not in seen or (match and int(match["no"]) == 1):
            seen[key] = path
    return list(seen.values())
