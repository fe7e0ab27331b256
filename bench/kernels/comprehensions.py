# Comprehensions and generator expressions over lists: building, filtering and summing. Up to
# 3.11 a comprehension is a function of its own that the compiled code calls with the list's
# iterator (3.12+ inline list, dict and set comprehensions); a generator expression is a
# generator on every version.
N = 20000


def run(n):
    xs = list(range(200))
    total = 0
    for r in range(n // 200):
        squares = [x * x for x in xs]
        odd = [s for s in squares if s & 1]
        index = {x: x + r for x in xs if x % 3 == 0}
        total += sum(s // 7 for s in odd) + len(index) + index[3]
    return total
