"""The REST API answers in Bahasa Indonesia too.

Flask-AppBuilder's API helpers (`response_400` … `response_404`), its rison/filter/column
exceptions, marshmallow's field and validator messages and flask-jwt-extended's token
errors are English and untranslated (none of them goes through gettext). They are put
into Indonesian here, once per process, where the messages are made: marshmallow's
default messages, FAB's `BaseApi` response helpers and the JWT error callbacks. The app's
own messages are written in Indonesian and pass through unchanged.
"""
from __future__ import annotations

import re
from typing import Any

# ------------------------------------------------------------------ marshmallow (field classes)
_FIELD_MESSAGES = {
    "Field": {"required": "Wajib diisi.", "null": "Tidak boleh kosong.", "validator_failed": "Nilai tidak valid."},
    "String": {"invalid": "Harus berupa teks.", "invalid_utf8": "Teks harus berupa UTF-8 yang valid."},
    "Number": {"invalid": "Harus berupa angka.", "too_large": "Angka terlalu besar."},
    "Integer": {"invalid": "Harus berupa bilangan bulat."},
    "Float": {"special": "Nilai khusus (NaN atau tak hingga) tidak diizinkan."},
    "Decimal": {"special": "Nilai khusus (NaN atau tak hingga) tidak diizinkan."},
    "Boolean": {"invalid": "Harus berupa nilai ya/tidak (true/false)."},
    "_TemporalField": {"invalid": "Bukan {obj_type} yang valid.",
                       "invalid_awareness": "Bukan {obj_type} yang valid.",
                       "format": "\"{input}\" tidak dapat diformat sebagai {obj_type}."},
    "Date": {"invalid": "Bukan tanggal yang valid (format YYYY-MM-DD).",
             "format": "\"{input}\" tidak dapat diformat sebagai tanggal."},
    "TimeDelta": {"invalid": "Bukan rentang waktu yang valid.",
                  "format": "{input!r} tidak dapat diformat sebagai rentang waktu."},
    "List": {"invalid": "Harus berupa daftar."},
    "Tuple": {"invalid": "Harus berupa tupel."},
    "Mapping": {"invalid": "Harus berupa objek (pasangan kunci dan nilai)."},
    "Nested": {"type": "Jenis data tidak valid."},
    "Email": {"invalid": "Alamat e-mail tidak valid."},
    "URL": {"invalid": "Alamat URL tidak valid."},
    "UUID": {"invalid_uuid": "UUID tidak valid."},
    "Enum": {"unknown": "Harus salah satu dari: {choices}."},
}
_SCHEMA_MESSAGES = {"type": "Jenis masukan tidak valid.", "unknown": "Kolom tidak dikenal."}
_VALIDATOR_MESSAGES = {
    "Length": {"message_min": "Terlalu pendek: minimal {min} karakter.",
               "message_max": "Terlalu panjang: maksimal {max} karakter.",
               "message_all": "Panjang harus antara {min} dan {max} karakter.",
               "message_equal": "Panjang harus {equal} karakter."},
    "Range": {"message_min": "Harus {min_op} {{min}}.", "message_max": "Harus {max_op} {{max}}.",
              "message_all": "Harus {min_op} {{min}} dan {max_op} {{max}}.",
              "message_gte": "lebih besar dari atau sama dengan", "message_gt": "lebih besar dari",
              "message_lte": "lebih kecil dari atau sama dengan", "message_lt": "lebih kecil dari"},
    "OneOf": {"default_message": "Harus salah satu dari: {choices}."},
    "Equal": {"default_message": "Harus sama dengan {other}."},
    "Regexp": {"default_message": "Format tidak sesuai."},
    "Email": {"default_message": "Alamat e-mail tidak valid."},
    "URL": {"default_message": "Alamat URL tidak valid."},
    "NoneOf": {"default_message": "Masukan tidak valid."},
    "Predicate": {"default_message": "Masukan tidak valid."},
    "ContainsOnly": {"default_message": "Satu atau lebih pilihan tidak termasuk dalam: {choices}."},
    "ContainsNoneOf": {"default_message": "Satu atau lebih pilihan termasuk dalam: {values}."},
}

# ------------------------------------------------------------------ FAB's own API messages
_FAB_EXACT = {
    "Arguments are not correct": "Argumen permintaan tidak valid.",
    "Could not process entity": "Data tidak dapat diproses.",
    "Not a valid rison/json argument": "Argumen q bukan rison/JSON yang valid.",
    "Not a valid rison argument": "Argumen q bukan rison yang valid.",
    "Request is not JSON": "Isi permintaan harus berupa JSON.",
    "Request payload is not JSON": "Isi permintaan harus berupa JSON.",
    "Cannot use both select and sel columns": "Argumen columns dan select_columns tidak boleh dipakai bersamaan.",
    "Internal error": "Terjadi kesalahan pada sistem. Silakan hubungi admin.",
    "Fatal error": "Terjadi kesalahan pada sistem. Silakan hubungi admin.",
    "Not authorized": "Anda belum masuk atau token tidak berlaku.",
    "Forbidden": "Anda tidak berwenang mengakses data ini.",
    "Not found": "Data tidak ditemukan, atau berada di luar cakupan Anda.",
    "OK": "OK",
}
_FAB_PATTERNS = [
    (re.compile(r"^Filter column: (.+) not allowed to filter$"), "Kolom {0} tidak dapat dipakai sebagai filter."),
    (re.compile(r"^Filter operation: (.+) not allowed on column: (.+)$"),
     "Operasi filter {0} tidak diizinkan pada kolom {1}."),
    (re.compile(r"^Invalid order by column: (.+)$"), "Kolom {0} tidak dapat dipakai untuk mengurutkan."),
    (re.compile(r"^Invalid (?:select )?columns?: (.+)$"), "Kolom {0} tidak dikenal."),
    (re.compile(r"^(\d+ Bad Request: )?The browser \(or proxy\) sent a request that this server could not understand\.?$"),
     "Permintaan tidak valid."),
]

# ------------------------------------------------------------------ flask-jwt-extended
JWT_MESSAGES = {
    "missing": "Token akses tidak ada: kirim header Authorization: Bearer <token>.",
    "invalid": "Token akses tidak valid.",
    "expired": "Token akses sudah kedaluwarsa. Silakan masuk kembali.",
    "fresh": "Diperlukan token akses baru (fresh). Silakan masuk kembali.",
}


def translate(message: Any) -> Any:
    """An API message in Indonesian: strings by FAB's catalogue above, dicts and lists item by item."""
    if isinstance(message, str):
        if message in _FAB_EXACT:
            return _FAB_EXACT[message]
        for pattern, text in _FAB_PATTERNS:
            m = pattern.match(message)
            if m:
                return text.format(*m.groups())
        return message
    if isinstance(message, dict):
        return {k: translate(v) for k, v in message.items()}
    if isinstance(message, (list, tuple)):
        return [translate(v) for v in message]
    return message


def _install_marshmallow() -> None:
    import marshmallow
    from marshmallow import fields, validate

    for name, messages in _FIELD_MESSAGES.items():
        cls = getattr(fields, name)
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    marshmallow.Schema._default_error_messages = {
        **getattr(marshmallow.Schema, "_default_error_messages", {}), **_SCHEMA_MESSAGES}
    for name, messages in _VALIDATOR_MESSAGES.items():
        cls = getattr(validate, name)
        for attr, text in messages.items():
            setattr(cls, attr, text)


def _install_fab() -> None:
    from flask_appbuilder.api import BaseApi

    if getattr(BaseApi, "ek_indonesian", False):
        return
    response = BaseApi.response  # a staticmethod: (code, **kwargs)

    def response_400(self, message=None):
        return response(400, message=translate(message or "Arguments are not correct"))

    def response_422(self, message=None):
        return response(422, message=translate(message or "Could not process entity"))

    def response_401(self):
        return response(401, message=_FAB_EXACT["Not authorized"])

    def response_403(self):
        return response(403, message=_FAB_EXACT["Forbidden"])

    def response_404(self):
        return response(404, message=_FAB_EXACT["Not found"])

    original_500 = BaseApi.response_500

    def response_500(self, message=None):
        return original_500(self, message=translate(message or "Internal error"))

    for name, fn in (("response_400", response_400), ("response_422", response_422),
                     ("response_401", response_401), ("response_403", response_403),
                     ("response_404", response_404), ("response_500", response_500)):
        fn.__name__ = name
        setattr(BaseApi, name, fn)
    BaseApi.ek_indonesian = True


def _install_jwt(app) -> None:
    """Missing, malformed, expired and not-fresh tokens (revoked tokens and inactive users
    are answered by app.auth)."""
    from flask import jsonify

    jwt = app.extensions.get("flask-jwt-extended")
    if jwt is None:
        return

    def answer(key: str, code: int = 401):
        return jsonify(message=JWT_MESSAGES[key]), code

    jwt.unauthorized_loader(lambda _reason: answer("missing"))
    jwt.invalid_token_loader(lambda _reason: answer("invalid", 422))
    jwt.expired_token_loader(lambda _header, _payload: answer("expired"))
    jwt.needs_fresh_token_loader(lambda _header, _payload: answer("fresh"))


def install() -> None:
    """Marshmallow's and FAB's messages, process-wide and idempotent: before the AppBuilder
    builds its API schemas (a field keeps the messages it was made with)."""
    _install_marshmallow()
    _install_fab()


def register(app) -> None:
    """The JWT error answers of this app (its JWT manager exists once FAB is initialised)."""
    _install_jwt(app)
