"""One exception hierarchy with stable codes.

Each boundary translates these once: the batch command into an error record, the API into an HTTP
status, a worker into a document's failed status. Nothing returns error strings.
"""
from __future__ import annotations


class CleardocketError(Exception):
    """Base of every error the product raises on purpose. `code` is stable and machine-readable."""

    code = "internal_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def as_record(self) -> dict:
        return {"code": self.code, "message": self.message}


class InputError(CleardocketError):
    """The input document cannot be read; the rest of a batch goes on."""

    code = "bad_input"


class EmptyFile(InputError):
    code = "empty_file"


class UnreadableFile(InputError):
    """The file vanished or cannot be opened (permissions, I/O error)."""

    code = "unreadable_file"


class CorruptFile(InputError):
    code = "corrupt_file"


class EncryptedPdf(InputError):
    code = "encrypted_pdf"


class UnsupportedType(InputError):
    code = "unsupported_type"


class FileTooLarge(InputError):
    code = "file_too_large"


class TooManyPages(InputError):
    code = "too_many_pages"


class ImageTooLarge(InputError):
    code = "image_too_large"


class OcrFailed(CleardocketError):
    """The OCR engine failed on a page in a way that is not the input's fault."""

    code = "ocr_failed"


class OcrTimeout(OcrFailed):
    """A page kept the OCR engine busy past its time limit (settings.ocr_page_timeout_s)."""

    code = "ocr_timeout"


class ConfigError(CleardocketError):
    code = "config_error"
