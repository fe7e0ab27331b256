# Functions whose IR is kept as golden files, per build, in tests/golden/ir/<descriptor>/.
# Rewrite them on purpose with ANYJIT_BLESS=1 (see the README).


def loop(n):
    total = 0
    for i in range(n):
        if i % 3 == 0 and i > 1:
            total += i * 2
        elif i in (1, 2):
            continue
        else:
            total -= 1
    return total


def handlers(f, xs):
    try:
        value = f(xs[0])
    except (ValueError, KeyError) as exc:
        value = exc
    finally:
        xs.append(1)
    with open('/dev/null') as fh:
        fh.read()
    return value


def calls(obj, xs, kw):
    squares = [x * x for x in xs if x]
    return obj.method(1, name=2, *xs, **kw), len(squares), obj.attr
