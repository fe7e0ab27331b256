# Conformance runner: every case of tests/cases/*.py, interpreted and compiled, compared.
#
#     python tests/python/run_cases.py [CASE_DIR] [NAME_FILTER]
#
# A case file is plain Python (2/3 compatible unless it sets MIN_VERSION) defining functions and
#     CASES = [('function_name', (args...), {kwargs}), ...]
# Optional module settings:
#     MIN_VERSION = (3, 6)        the file needs that syntax; older interpreters list it as skipped
#     MAX_VERSION = (2, 7)        the file is Python 2 syntax; newer interpreters list it as skipped
#     NOT_COMPILED_BEFORE = ((3, 0), 'reason')   NOT_COMPILED on interpreters older than that
#     NOT_COMPILED_FROM = ((3, 12), 'reason')    NOT_COMPILED on that version and newer
#     NATIVE_COMPREHENSIONS = ['f', ...]   on 3.x up to 3.11, the optimising tier's call of each
#                                 of these functions must have run a comprehension's function
#                                 natively (stats()['inner_calls'] grew)
#     NOT_COMPILED = 'reason'     constructs the compiler does not handle yet: strict=True must
#                                 raise anyjit.UnsupportedError whose message holds 'reason' (the
#                                 construct), the function's name, its file and line, and the
#                                 non-strict wrapper must still give the interpreter's answers
#                                 (it runs the interpreter)
# For each call the runner compares, between the original function and anyjit.jit(f, strict=True):
#   * the result (type and repr) or the exception (type, message, cause, suppressed context);
#   * side effects on the arguments (repr of every argument afterwards);
#   * the change of the arguments' reference counts (equal to the interpreter's);
# and that stats()['native_calls'] grew, so that no case can pass in the interpreter. Each case is
# called twice (rounds): once in the quick tier's code, once in the optimising tier's.
# A file may also give
#     SEQUENCES = [('function_name', [args1, args2, ...], {expectations}), ...]
# calls of one compiled function with each argument tuple in turn (the first call trains the
# type feedback, the later ones run the specialised code, often with values of other types),
# each compared as above. Expectations, checked after the sequence (so that a specialisation
# that silently did not happen fails): 'locals' ({name: 'int' or 'float'} that the first
# specialisation typed), 'counted_loops' (at least that many `for ... in range` loops counted),
# 'borrowed_moves' (at least that many items or objects stored into locals or list items
# without a reference count change when they hold them already), 'deopts' (True: guards failed during the sequence; False: none did),
# 'settles' (True: no guard failed in the last two calls: the plan made again after guards kept
# failing knows every class that broke the one before), 'comprehensions' (3.x up to 3.11, where a
# list, set or dict comprehension is a function the code makes and calls: at least that many
# of those calls ran natively, compiled for the function that made them).
# Then the corpus runs twice more with on-stack replacement forced (anyjit._osr_after(1), then 3):
# each first call moves from the quick tier's code to the optimised code at its first (third)
# backward jump, with the same comparisons; some cases must have moved.
# On a debug build, sys.gettotalrefcount() must not grow across further runs of the corpus.
# Ends with 'N passed, M failed'.
from __future__ import print_function

import copy
import gc
import glob
import os
import re
import sys
import traceback

import anyjit

HERE = os.path.dirname(os.path.abspath(__file__))
CASE_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', 'cases')
FILTER = sys.argv[2] if len(sys.argv) > 2 else ''
V = sys.version_info[:2]

failures = []
skipped = []
passed = [0]


ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')


def outcome(f, args, kwargs):
    try:
        r = f(*args, **kwargs)
        # the handled exception is restored when the function returns
        return ('ok', type(r).__name__, ADDRESS.sub(' at 0x?', repr(r)), sys.exc_info()[0])
    except Exception as e:
        # 3.x chaining too: the cause, the context and whether it is suppressed
        cause = ADDRESS.sub(' at 0x?', repr(getattr(e, '__cause__', None)))
        context = ADDRESS.sub(' at 0x?', repr(getattr(e, '__context__', None)))
        # the traceback: file, line and function of every entry (the compiled function's
        # entries come from its trampoline frame)
        tb = [(os.path.basename(fn), line, name)
              for fn, line, name, _ in traceback.extract_tb(sys.exc_info()[2])]
        return ('raise', type(e).__name__, str(e), cause, context,
                getattr(e, '__suppress_context__', None), tb, frame_locals(sys.exc_info()[2]))


def frame_locals(tb):
    """The locals each frame of traceback `tb` shows (after this runner's own), with their
    values' reprs: a compiled function's frame shows its locals as the interpreter's does
    (in the same order from 3.6, where dicts keep it)."""
    shown = []
    tb = tb.tb_next
    while tb is not None:
        items = []
        for k, v in tb.tb_frame.f_locals.items():
            try:
                r = repr(v)
            except Exception as e:
                r = '<repr raised %s>' % type(e).__name__
            items.append((k, ADDRESS.sub(' at 0x?', r)))
        shown.append(items if V >= (3, 6) else sorted(items))
        tb = tb.tb_next
    return shown


def fresh(args):
    return copy.deepcopy(args)


def load(path):
    with open(path) as fh:
        src = fh.read()
    ns = {'__name__': 'case_' + os.path.basename(path)[:-3], '__file__': path}
    exec(compile(src, path, 'exec', 0, True), ns)
    return ns


def run_file(path, rounds):
    name = os.path.basename(path)
    try:
        ns = load(path)
    except SyntaxError as e:
        # only files that declare a newer MIN_VERSION (or an older MAX_VERSION) may fail to parse
        with open(path) as fh:
            head = fh.read()
        if 'MIN_VERSION' in head:
            skipped.append('%s: needs a newer Python (%s)' % (name, e.msg))
            return
        if 'MAX_VERSION' in head:
            skipped.append('%s: Python 2 syntax (%s)' % (name, e.msg))
            return
        failures.append('%s: does not parse: %s' % (name, e))
        return
    if V < tuple(ns.get('MIN_VERSION', (0, 0))):
        skipped.append('%s: needs Python %s' % (name, '.'.join(map(str, ns['MIN_VERSION']))))
        return
    not_compiled = ns.get('NOT_COMPILED')
    before = ns.get('NOT_COMPILED_BEFORE')
    if before and V < tuple(before[0]):
        not_compiled = before[1]
    since = ns.get('NOT_COMPILED_FROM')
    if since and V >= tuple(since[0]):
        not_compiled = since[1]
    native_comprehensions = ns.get('NATIVE_COMPREHENSIONS', ())
    for fname, args, kwargs in ns['CASES']:
        label = '%s:%s%r' % (name, fname, args)
        if FILTER and FILTER not in label:
            continue
        f = ns[fname]
        try:
            compiled = anyjit.jit(f, strict=True)
            if not_compiled:
                failures.append('%s: compiled, but the file says NOT_COMPILED (%s)' % (label, not_compiled))
                continue
        except anyjit.UnsupportedError as e:
            if not not_compiled:
                failures.append('%s: %s' % (label, e))
                continue
            # the refusal names the construct, the function, its file and line
            where = (f.__name__ + ' (', os.path.basename(f.__code__.co_filename) + ':')
            if not_compiled not in str(e) or not all(w in str(e) for w in where):
                failures.append('%s: refused as %r, not naming %r and %r' % (
                    label, str(e), not_compiled, where))
                continue
            compiled = anyjit.jit(f)
            if anyjit.is_compiled(compiled):
                failures.append('%s: strict refused but non-strict compiled' % label)
                continue
        if not_compiled is None and not anyjit.is_compiled(compiled):
            failures.append('%s: not compiled' % label)
            continue
        optimized = anyjit.stats()['optimized']
        inner = 0
        for _ in range(rounds):
            # the first call runs the quick tier's code, the second the optimising tier's
            inner = anyjit.stats()['inner_calls']
            bad = compare_call(label, f, compiled, args, kwargs, native=not not_compiled)
            if bad:
                failures.append(bad)
                break
        else:
            if rounds > 1 and not not_compiled and anyjit.stats()['optimized'] <= optimized:
                failures.append('%s: the second call did not run the optimising tier' % label)
                continue
            if (rounds > 1 and (3, 0) <= V < (3, 12) and fname in native_comprehensions
                    and anyjit.stats()['inner_calls'] <= inner):
                failures.append('%s: the optimising tier ran no comprehension natively' % label)
                continue
            passed[0] += 1
    # expectations hold for the normal run; with on-stack replacement forced, loops move to
    # code compiled from their first iterations only
    run_sequences(path, ns, rounds > 1)


def compare_call(label, f, compiled, args, kwargs, native=True):
    """One call of f and of compiled with copies of args; returns a failure text or None.
    Reference counts of each call's own (deep-copied) arguments are taken before and after:
    the compiled call must change them exactly as the interpreted one does (shared immutables,
    small ints and strings, are left out: both calls share them). With `native`, the compiled
    call must have run native code."""
    a1, a2 = fresh(args), fresh(args)
    own1 = [a for a, b in zip(a1, a2) if a is not b]
    own2 = [b for a, b in zip(a1, a2) if a is not b]
    c1 = [sys.getrefcount(a) for a in own1]
    want = outcome(f, a1, dict(kwargs))
    if want[0] == 'raise':
        gc.collect()
    d1 = [sys.getrefcount(a) - c for a, c in zip(own1, c1)]
    before_calls = anyjit.stats()['native_calls']
    c2 = [sys.getrefcount(a) for a in own2]
    got = outcome(compiled, a2, dict(kwargs))
    if got[0] == 'raise':
        gc.collect()
    d2 = [sys.getrefcount(a) - c for a, c in zip(own2, c2)]
    if got != want:
        return '%s: interpreter %r, compiled %r' % (label, want, got)
    if repr(a1) != repr(a2):
        return '%s: arguments after the call differ: %r vs %r' % (label, a1, a2)
    if d1 != d2:
        return '%s: argument reference counts change by %r compiled, %r interpreted' % (label, d2, d1)
    if native and anyjit.stats()['native_calls'] <= before_calls:
        return '%s: the call did not run native code' % label
    return None


def run_sequences(path, ns, check_expectations):
    name = os.path.basename(path)
    for fname, calls, expect in ns.get('SEQUENCES', ()):
        label = '%s:%s' % (name, fname)
        if FILTER and FILTER not in label:
            continue
        f = ns[fname]
        try:
            compiled = anyjit.jit(f, strict=True)
        except anyjit.UnsupportedError as e:
            failures.append('%s: %s' % (label, e))
            continue
        first = None
        failed_before = anyjit.stats()['guard_failures']
        inner_before = anyjit.stats()['inner_calls']
        failed_after = []
        bad = None
        for k, args in enumerate(calls):
            bad = compare_call('%s call %d %r' % (label, k + 1, args), f, compiled, args, {})
            if bad:
                failures.append(bad)
                break
            failed_after.append(anyjit.stats()['guard_failures'])
            if k == 1:
                first = anyjit._specialized(compiled)
        if bad:
            continue
        if check_expectations:
            failed = anyjit.stats()['guard_failures'] - failed_before
            problems = []
            typed = (first or {}).get('locals', {})
            for var, kind in sorted(expect.get('locals', {}).items()):
                if typed.get(var) != kind:
                    problems.append('%s typed %r, expected %r' % (var, typed.get(var), kind))
            if (first or {}).get('counted_loops', 0) < expect.get('counted_loops', 0):
                problems.append('%r counted loops, expected %r' % (
                    (first or {}).get('counted_loops'), expect['counted_loops']))
            if (first or {}).get('borrowed_moves', 0) < expect.get('borrowed_moves', 0):
                problems.append('%r borrowed moves, expected %r' % (
                    (first or {}).get('borrowed_moves'), expect['borrowed_moves']))
            if 'deopts' in expect and bool(failed) != expect['deopts']:
                problems.append('%d guard failures, expected %s' % (
                    failed, 'some' if expect['deopts'] else 'none'))
            inner = anyjit.stats()['inner_calls'] - inner_before
            if (3, 0) <= V < (3, 12) and inner < expect.get('comprehensions', 0):
                problems.append('%d comprehensions ran natively, expected %d or more' % (
                    inner, expect['comprehensions']))
            if expect.get('settles') and failed_after[-1] != failed_after[-3]:
                # the plan made again after its guards kept failing knows, from the feedback
                # the resumed generic code recorded, every class that broke the last one
                problems.append('guards still fail in the last two calls (%r)' % failed_after)
            if problems:
                failures.append('%s: specialisation: %s (%r)' % (label, '; '.join(problems), first))
                continue
        passed[0] += 1


def corpus(rounds):
    for path in sorted(glob.glob(os.path.join(CASE_DIR, '*.py'))):
        run_file(path, rounds)


try:
    corpus(2)
    # on-stack replacement: every loop moves to the optimised code at once, or a little later
    saved = passed[0]
    moved = []
    for after in (1, 3):
        previous = anyjit._osr_after(after)
        before = anyjit.stats()['osr_entries']
        corpus(1)
        moved.append(anyjit.stats()['osr_entries'] - before)
        anyjit._osr_after(previous)
    passed[0] = saved
    if min(moved) <= 0:
        failures.append('no call moved to the optimised code with on-stack replacement forced: %r' % moved)
    print('calls moved by on-stack replacement (after 1 and 3 backward jumps): %r' % moved)
    if hasattr(sys, 'gettotalrefcount'):
        # debug build: further runs of everything must not leak references. A leak of even one
        # reference per call grows with every run; the runner's own bookkeeping does not.
        saved = passed[0]
        deltas = []
        for _ in range(3):
            gc.collect()
            gc.collect()
            before = sys.gettotalrefcount()
            corpus(1)
            gc.collect()
            gc.collect()
            deltas.append(sys.gettotalrefcount() - before)
        passed[0] = saved
        # every case makes at least one compiled call per run: a leak in any of them shows in
        # every run as at least one reference per case
        if min(deltas) >= saved:
            failures.append('total reference count grows across runs of the corpus: %r' % deltas)
        print('total reference count deltas of three more runs: %r' % deltas)
except Exception:
    failures.append('runner crashed: ' + traceback.format_exc())

for s in skipped:
    print('skipped ' + s)
for f in failures:
    print('FAIL ' + f)
print('%s: %d passed, %d failed' % (anyjit.info()['descriptor'], passed[0], len(failures)))
sys.exit(1 if failures else 0)
