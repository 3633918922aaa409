"""Test support that the Django side's tests reuse: fake network servers, the Bluesky PDS runner.

Nothing here is imported by the library itself.
"""
