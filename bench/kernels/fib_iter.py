# Iterative Fibonacci modulo a prime, over a range.
N = 300000


def run(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % 1000000007
    return a
