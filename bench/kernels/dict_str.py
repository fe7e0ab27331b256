# Dict and string operations: counting words.
N = 20000


def run(n):
    words = ['alpha', 'beta', 'gamma', 'delta', 'eps']
    counts = {}
    for i in range(n):
        w = words[i % 5] + str(i % 7)
        if w in counts:
            counts[w] = counts[w] + 1
        else:
            counts[w] = 1
    total = 0
    for k in sorted(counts):
        total += counts[k] * len(k)
    return total
