# N queens by backtracking: recursion, lists as stacks, set membership.
N = 9
N_ONCE = 10


def place(n, row, cols, diag1, diag2):
    if row == n:
        return 1
    found = 0
    for c in range(n):
        if c in cols or row + c in diag1 or row - c in diag2:
            continue
        cols.add(c)
        diag1.add(row + c)
        diag2.add(row - c)
        found += place(n, row + 1, cols, diag1, diag2)
        cols.remove(c)
        diag1.remove(row + c)
        diag2.remove(row - c)
    return found


def run(n):
    total = 0
    for size in range(4, n + 1):
        total += place(size, 0, set(), set(), set())
    return total
