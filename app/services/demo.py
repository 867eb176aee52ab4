"""Placeholder replaced by the demo seeding module."""


class DemoSeedError(Exception):
    pass


def seed_demo(password: str) -> str:
    raise DemoSeedError("belum tersedia")
