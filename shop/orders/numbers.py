"""Order numbers: opaque and non-sequential, so that a number says nothing about how many
orders the shop takes and cannot be guessed from another one."""

import secrets

# Base32 without 0/1/I/O, which read alike on a phone or on paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 10  # 32**10 = 2**50 numbers
PREFIX = "BFM-"


def order_number_new() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
