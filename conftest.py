"""Test environment: a throwaway data directory and fast password hashing.

This file is loaded before Django is configured, so the environment set here is what
settings.py reads.
"""

import os
import tempfile

os.environ.setdefault("BRIDGEWORK_ENV", "test")
os.environ.setdefault("BRIDGEWORK_DATA_DIR", tempfile.mkdtemp(prefix="bridgework-test-"))
