# Spectral norm of the infinite matrix A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1).
N = 60
N_ONCE = 150


def eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def times(v, n, transposed):
    out = []
    for i in range(n):
        s = 0.0
        for j in range(n):
            if transposed:
                s += eval_a(j, i) * v[j]
            else:
                s += eval_a(i, j) * v[j]
        out.append(s)
    return out


def run(n):
    u = [1.0] * n
    v = u
    for _ in range(10):
        v = times(times(u, n, False), n, True)
        u = times(times(v, n, False), n, True)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return round((vbv / vv) ** 0.5, 9)
