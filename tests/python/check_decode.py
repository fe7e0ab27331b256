# Differential test of anyjit's bytecode decoder against the interpreter's own `dis`.
#
# Run in every interpreter by the test suite, with anyjit importable:
#     python tests/python/check_decode.py
# For every code object of a corpus (the functions below and several standard-library modules,
# nested code included) it compares anyjit._decode() with what `dis` says:
#   * the same instructions (offsets, opcode names, folded arguments; caches and EXTENDED_ARG
#     prefixes skipped);
#   * the same jump targets (3.12+ FOR_ITER jumps past END_FOR [, POP_TOP] by design);
#   * 3.8+: the same stack effect per instruction, fall-through and jump (dis.stack_effect);
#   * stack depths within co_stacksize, and the IR verifier silent;
#   * the line of every instruction (co_lines() from 3.10, dis.findlinestarts() before).
# 2.7 has no dis.get_instructions: its listing is rebuilt here from opcode tables.
# Code the decoder does not model yet (generators' SEND, pattern matching, async) is counted as
# skipped and listed; everything else must decode. Ends with 'N passed, M failed'.
from __future__ import print_function

import dis
import opcode
import os
import sys
import types

import anyjit

V = sys.version_info[:2]
failures = []
passed = [0]
skipped = {}


def fail(code, msg):
    failures.append('%s (%s:%s): %s' % (code.co_name, code.co_filename, code.co_firstlineno, msg))


def listing(code):
    """[(offset, opname, arg, target)] for every instruction, prefixes folded, caches skipped.
    A target landing on an EXTENDED_ARG prefix is given as the offset of the prefixed opcode."""
    rows = raw_listing(code)
    starts = {}
    pending = []
    for off, name, arg, target in rows:
        if name == 'EXTENDED_ARG':
            pending.append(off)
            continue
        for p in pending:
            starts[p] = off
        pending = []
    return [(off, name, arg, starts.get(t, t) if t is not None else None)
            for off, name, arg, t in rows if name != 'EXTENDED_ARG']


def raw_listing(code):
    out = []
    if V < (3, 4):
        co = code.co_code
        i, ext = 0, 0
        while i < len(co):
            op = ord(co[i])
            off = i
            arg = None
            i += 1
            if op >= opcode.HAVE_ARGUMENT:
                arg = ord(co[i]) | ord(co[i + 1]) << 8 | ext << 16
                i += 2
            if op == opcode.EXTENDED_ARG:
                ext = arg
                out.append((off, 'EXTENDED_ARG', arg, None))
                continue
            ext = 0
            target = None
            if op in opcode.hasjrel:
                target = i + arg
            elif op in opcode.hasjabs:
                target = arg
            out.append((off, opcode.opname[op], arg or 0, target))
        return out
    for ins in dis.get_instructions(code):
        if ins.opname == 'CACHE':
            continue
        target = None
        if ins.opcode in opcode.hasjrel or ins.opcode in opcode.hasjabs or ins.opcode in getattr(opcode, 'hasjump', ()):
            target = ins.argval
        out.append((ins.offset, ins.opname, ins.arg or 0, target))
    return out


def line_of(code):
    """offset -> line, as the interpreter reads its own line table."""
    if hasattr(code, 'co_lines'):
        ranges = [(s, e, l) for s, e, l in code.co_lines()]
        return lambda off: next((l for s, e, l in ranges if s <= off < e), None)
    starts = list(dis.findlinestarts(code))
    def find(off):
        line = None
        for s, l in starts:
            if s <= off:
                line = l
        return line
    return find


def header_name(name):
    # 2.7's opcode module spells SLICE as SLICE+0 and SLICE_1 as SLICE+1
    if '+' in name:
        base, n = name.split('+')
        return base if n == '0' else base + '_' + n
    return name


def check(code):
    try:
        max_depth, rows = anyjit._decode(code)
    except anyjit.UnsupportedError as e:
        skipped.setdefault(str(e).split(' at offset')[0].split(': ')[-1], []).append(code.co_name)
        return
    ir = anyjit._dump_ir(code)
    problems = [l for l in ir.splitlines() if l.startswith('verifier:')]
    if problems:
        fail(code, '; '.join(problems))
        return
    if max_depth > code.co_stacksize:
        fail(code, 'max depth %d > co_stacksize %d' % (max_depth, code.co_stacksize))
        return
    expected = listing(code)
    by_offset = {}
    for row in rows:
        by_offset.setdefault(row[0], []).append(row)
    offsets = [r[0] for r in expected]
    if sorted(by_offset) != offsets:
        fail(code, 'offsets differ: dis %s, anyjit %s' % (offsets[:20], sorted(by_offset)[:20]))
        return
    names = dict((r[0], r[1]) for r in expected)
    lines = line_of(code)
    for row in rows:
        if row[10] != lines(row[0]):
            fail(code, 'at %d: line %s, the interpreter says %s' % (row[0], row[10], lines(row[0])))
            return
    for off, name, arg, target in expected:
        mine = by_offset[off]
        if mine[0][1] != header_name(name) or mine[0][2] != arg:
            fail(code, 'at %d: dis %s %s, anyjit %s %s' % (off, name, arg, mine[0][1], mine[0][2]))
            return
        jumps = [r for r in mine if r[8] is not None]
        if target is not None and name not in ('SETUP_ANNOTATIONS',):
            if not jumps:
                fail(code, 'at %d: %s jumps to %s but anyjit has no target' % (off, name, target))
                return
            got = jumps[0][8]
            if name == 'FOR_ITER' and V >= (3, 12):
                # the IR exits past END_FOR (3.13: END_FOR, POP_TOP), which the interpreter skips
                i = offsets.index(target)
                if names[target] == 'END_FOR':
                    i += 1
                    if V >= (3, 13) and i < len(offsets) and names[offsets[i]] == 'POP_TOP':
                        i += 1
                target = offsets[i] if i < len(offsets) else target
            if got != target:
                fail(code, 'at %d: %s targets %s, anyjit %s' % (off, name, target, got))
                return
        if V >= (3, 8) and name not in ('PRECALL',):
            pops = sum(r[4] for r in mine)
            pushes = sum(r[5] for r in mine)
            arg_for_dis = arg if opcode.opmap[name] >= opcode.HAVE_ARGUMENT else None
            try:
                want = dis.stack_effect(opcode.opmap[name], arg_for_dis, jump=False)
            except ValueError:
                want = None
            if name == 'RETURN_GENERATOR' and V < (3, 13):
                want += 1  # the sent value, which 3.11/3.12 count at the following POP_TOP
            if name == 'CALL' and V == (3, 11):
                want = want + dis.stack_effect(opcode.opmap['PRECALL'], arg)
            if want is not None and pushes - pops != want:
                fail(code, 'at %d: %s %s falls through with effect %d, dis says %d' % (off, name, arg, pushes - pops, want))
                return
            if jumps and not (name == 'FOR_ITER' and V >= (3, 12)):
                j = jumps[0]
                jwant = dis.stack_effect(opcode.opmap[name], arg_for_dis, jump=True)
                # an instruction split in two: the jump comes last, after the others' effect
                before = sum(r[5] - r[4] for r in mine if r is not j)
                if j[7] - j[6] + before != jwant:
                    fail(code, 'at %d: %s jumps with effect %d, dis says %d' % (off, name, j[7] - j[6] + before, jwant))
                    return
    passed[0] += 1


def walk(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            for sub in walk(c):
                yield sub


# --- corpus: functions written for the constructs the JIT must compile ------------------------
SOURCE = '''
def arith(a, b=2, *args, **kw):
    t = a + b - a * b
    t = t // 3 % 7 ** 2 << 1 >> 1 & 255 | 3 ^ 5
    t += 1; t -= 1; t *= 2; t //= 2; t %= 9; t **= 1; t <<= 1; t >>= 1; t &= 7; t |= 1; t ^= 2
    return -t, +t, ~t, not t, a < b <= t, a is b, a is not None, a in args, a not in kw

def control(n):
    total = 0
    while n > 0:
        n -= 1
        if n % 2:
            continue
        elif n == 7:
            break
        total += n
    else:
        total = -1
    for i in range(3):
        for j in range(i):
            if j:
                break
        else:
            total += i
    return total and n or None

def calls(f, xs, d):
    f(1, 2, k=3, *xs, **d)
    f(*xs)
    f(**d)
    obj = f.method(1, b=2)
    return obj.attr.other, len(xs), sorted(xs, key=lambda v: -v)

def containers(a, b):
    t = (a, b, 1)
    l = [a, b]
    s = {a, b}
    d = {a: 1, b: 2, 'c': 3}
    l[0] = t[1]
    del l[0]
    x = l[1:2]
    l[1:2] = [3]
    del l[:1]
    y, (z, w) = 1, (2, 3)
    return [i * 2 for i in l if i], dict((k, v) for k, v in d.items()), {k for k in s}

def exceptions(f):
    try:
        f()
    except (ValueError, KeyError) as e:
        r = e
    except Exception:
        raise
    else:
        r = None
    finally:
        f()
    try:
        return f()
    finally:
        f()

def withs(path, f):
    with open(path) as a, open(path) as b:
        f(a, b)
    assert path, 'message'
    del f
    global G
    G = 1
    return path % (1,), '{0}'.format(path)

def closures(a):
    def inner(b):
        return a + b
    c = a
    return inner, lambda: c
'''
SOURCE3 = '''
def py3(a, *rest, key=None, **kw):
    first, *middle, last = rest
    x = 0
    def bump():
        nonlocal x
        x += 1
    return f"{a!r:>10} {key}", [*rest, *middle], {**kw, 'k': 1}, x

def loops_with_else(xs):
    for x in xs:
        try:
            if x:
                continue
        finally:
            x = None
    return x
'''
ns = {}
exec(compile(SOURCE, '<corpus>', 'exec', 0, True), ns)
if V >= (3, 6):
    exec(compile(SOURCE3, '<corpus3>', 'exec', 0, True), ns)
codes = [v.__code__ for v in ns.values() if isinstance(v, types.FunctionType)]

# --- corpus: real-world code from this interpreter's standard library -------------------------
libdir = os.path.dirname(os.__file__)
for name in ('inspect.py', 'argparse.py', 'textwrap.py', 'difflib.py', 'string.py', 'ast.py', 'calendar.py'):
    path = os.path.join(libdir, name)
    if os.path.exists(path):
        with open(path) as fh:
            src = fh.read()
        codes.append(compile(src, path, 'exec', 0, True))  # no __future__ flags of ours

for top in codes:
    for code in walk(top):
        check(code)

for reason in sorted(skipped):
    print('skipped %d code objects: %s (e.g. %s)' % (len(skipped[reason]), reason, ', '.join(sorted(set(skipped[reason]))[:4])))
for f in failures[:40]:
    print('FAIL ' + f)
print('%s: %d passed, %d failed' % (anyjit.info()['descriptor'], passed[0], len(failures)))
sys.exit(1 if failures else 0)
