# Recursive Fibonacci: calls between compiled functions.
N = 27
N_ONCE = 30


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def run(n):
    return fib(n)
