# Type feedback: the optimising tier compiles the inline paths the quick tier saw (ints, floats,
# str concatenation, floor division and modulo, direct calls of str, len and list.append).
# Values of other types arriving later take the generic paths and must give the interpreter's
# answers. The runner's on-stack replacement passes move each loop to the optimised code after
# its first (third) iteration, so feedback there covers only the first values of a sequence.
try:
    import builtins as _builtins
except ImportError:
    import __builtin__ as _builtins

D = 2 ** 30
BIG = 2 ** 64
_real_len = len
_real_str = str


def divmods(pairs):
    out = []
    for a, b in pairs:
        try:
            out.append((a // b, a % b))
        except ZeroDivisionError as e:
            out.append(('zero', str(e)))
        except TypeError as e:
            out.append(('type', str(e)))
    return out


def mixed_arith(xs):
    out = []
    prev = xs[0]
    for x in xs:
        try:
            out.append((prev + x, prev - x, prev * x, prev < x, prev == x))
        except TypeError as e:
            out.append(str(e))
        prev = x
    return out


def running_total(xs):
    t = 0
    for x in xs:
        t += x
    return t


def concat(parts):
    s = parts[0]
    for p in parts[1:]:
        try:
            s = s + p
        except TypeError as e:
            return 'TypeError', str(e)
    return s


def calls(xs):
    out = []
    for x in xs:
        try:
            out.append((len(x), str(x)))
        except TypeError as e:
            out.append(str(e))
    return out


def appends(target, xs):
    for x in xs:
        target.append(x)
    return target


def len_rebound(xs):
    out = []
    for step, x in enumerate(xs):
        out.append(len(x))
        if step == 1:
            _builtins.len = lambda v: 'patched'
    _builtins.len = _real_len
    return out


def str_shadowed(xs):
    out = []
    str = _real_str
    for step, x in enumerate(xs):
        out.append(str(x))
        if step == 1:
            str = repr
    return out


class Appender(list):
    def append(self, x):
        list.append(self, ('wrapped', x))


class PlainList(list):
    pass


def append_targets(targets, x):
    for t in targets:
        t.append(x)
    return targets


class BadLen(object):
    def __len__(self):
        return -1

    def __repr__(self):
        return 'BadLen()'


class HugeLen(object):
    def __len__(self):
        return 2 ** 70

    def __repr__(self):
        return 'HugeLen()'


NEG = [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5), (0, -5), (6, 3), (-6, 3), (1, 0), (0, 0),
       (D - 1, 7), (-(D - 1), 7), (7, D - 1), (-7, D - 1), (D, 3), (-D, 3), (BIG, 7), (-BIG, 7),
       (7, BIG), (-7, BIG), (2 ** 63, -1), (-2 ** 63, -1), (-2 ** 63, 1), (2 ** 62, -3),
       (7.5, 2), (-7.5, 2), (7, 2.5), (-0.0, 1.0), (5.0, 0.0), (True, 2), (3, True), ('a', 2)]

CASES = [
    ('divmods', (NEG,), {}),
    ('divmods', (list(reversed(NEG)),), {}),
    ('divmods', ([(a, b) for a in range(-9, 10) for b in (-4, -3, -1, 1, 3, 4)],), {}),
    ('mixed_arith', ([1, 2, 3, 2.5, -1, D - 1, D, BIG, 0.5, 'x', 'y'],), {}),
    ('mixed_arith', ([0.5, 1.5, 2, 3, True, None],), {}),
    ('mixed_arith', (['a', 'b', 1, 2],), {}),
    ('running_total', ([1, 2, 3, D, BIG, 0.5, -BIG],), {}),
    ('running_total', ([1.5, 2, 3],), {}),
    ('running_total', ([1, 2, 'x'],), {}),
    ('concat', (['a', 'b', 'c', u'\xe9', 'd'],), {}),
    ('concat', (['a', 'b', 3],), {}),
    ('concat', ([[1], [2], [3]],), {}),
    ('concat', ([1, 2, 3.5],), {}),
    ('calls', (['ab', [1, 2, 3], (), {'k': 1}, 5, u'\xe9'],), {}),
    ('calls', ([[1], BadLen(), 'x'],), {}),
    ('calls', ([[1], HugeLen(), 'x'],), {}),
    ('appends', ([], [1, 'a', None, 2.5]), {}),
    ('appends', (PlainList(), [1, 2]), {}),
    ('appends', (Appender(), [1, 2]), {}),
    ('len_rebound', (['a', 'bb', 'ccc', 'dddd'],), {}),
    ('str_shadowed', ([1, 2, 'x', None],), {}),
    ('append_targets', ([[], PlainList(), Appender(), []], 7), {}),
]
