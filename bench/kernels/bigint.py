# Integers past 64 bits: a linear congruential sequence kept to 100 bits, and the digit sum of
# a factorial.
N = 80000


def run(n):
    m = 2 ** 100
    x = 12345678901234567890
    acc = 0
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407 + i) % m
        acc ^= x >> 37
    f = 1
    for k in range(2, 300):
        f *= k
    s = 0
    while f:
        s += f % 10
        f //= 10
    return acc, s
