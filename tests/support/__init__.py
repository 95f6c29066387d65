"""Test helpers shared by several test modules (real servers on loopback, fixtures)."""
