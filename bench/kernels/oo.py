# Attribute- and method-heavy code: small objects, methods, attribute loads and stores.
N = 20000


class Vec(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def scale(self, k):
        return Vec(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Particle(object):
    def __init__(self, pos, vel):
        self.pos = pos
        self.vel = vel
        self.steps = 0

    def step(self, dt):
        self.pos = self.pos.add(self.vel.scale(dt))
        self.steps += 1
        return self.pos.dot(self.vel)


def run(n):
    ps = [Particle(Vec(i, -i), Vec(1, 2)) for i in range(10)]
    total = 0
    for _ in range(n // 10):
        for p in ps:
            total += p.step(1)
    return total, sum(p.steps for p in ps)
