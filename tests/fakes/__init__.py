"""Loopback fakes of the platform APIs: Sauti's real clients talk to them over HTTP."""
