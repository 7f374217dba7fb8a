"""The privacy package's errors: one root, so callers can map them at the boundary."""

from __future__ import annotations


class PrivacyError(Exception):
    """Root of every error this package raises on purpose."""


class DecryptionError(PrivacyError):
    """A ciphertext or wrapped key could not be opened.

    Deliberately one error for every cause (wrong or destroyed key, tampering, a ciphertext
    moved to another participant or field, unknown format): an erased participant's data must
    look exactly like corrupted data, and callers have nothing better to do in either case.
    """


class KeyMaterialError(PrivacyError, ValueError):
    """Key bytes of the wrong size were handed in: a programming or configuration error."""


class KeyFileError(PrivacyError):
    """A key file cannot be trusted or created; the message names the path and the fix."""
