# Integer arithmetic in a while loop.
N = 300000


def run(n):
    total = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            total += i * 2
        else:
            total -= 1
        i += 1
    return total
