# Mandelbrot set membership by escape time, in float arithmetic (no complex numbers).
N = 60


def run(n):
    inside = 0
    for py in range(n):
        y0 = py * 2.0 / n - 1.0
        for px in range(n):
            x0 = px * 3.0 / n - 2.0
            x = 0.0
            y = 0.0
            i = 0
            while i < 50 and x * x + y * y < 4.0:
                x, y = x * x - y * y + x0, 2.0 * x * y + y0
                i += 1
            if i == 50:
                inside += 1
    return inside
