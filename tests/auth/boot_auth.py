"""Imported by a subprocess test (A-BUILTIN-014) while DRF's settings are still loading."""

from restflow.authentication import BaseAuthentication


class Custom(BaseAuthentication):
    def authenticate(self, request):
        return None
