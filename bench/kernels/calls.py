# Calls to builtins and methods in a loop.
N = 100000


def run(n):
    out = []
    t = 0
    for i in range(n):
        out.append(i)
        t += len(out) % 7 + abs(-i) % 3 + max(i, 5)
    return t
