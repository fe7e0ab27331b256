# The compiled wrapper behaves like the function it wraps, in every interpreter:
# metadata, defaults, binding as a method, staticmethod/classmethod, inspect.signature, strict
# errors naming construct/file/line, tracebacks identical to the interpreter's, RecursionError
# on deep recursion, Ctrl-C (SIGINT) interrupting a compiled infinite loop, tracing falling back
# to the interpreter. Ends with 'N passed, M failed'.
from __future__ import print_function

import os
import signal
import sys
import threading
import time
import traceback

import anyjit

failures = []
passed = [0]


def check(what, ok, detail=''):
    if ok:
        passed[0] += 1
    else:
        failures.append('%s %s' % (what, detail))


def documented(a, b=5, *rest, **kw):
    """Adds things."""
    return a + b + len(rest) + len(kw)


documented.custom = 'attr'
j = anyjit.jit(documented, strict=True)
check('is_compiled', anyjit.is_compiled(j) and not anyjit.is_compiled(documented))
for attr in ('__name__', '__doc__', '__module__', '__defaults__'):
    check(attr, getattr(j, attr) == getattr(documented, attr), repr(getattr(j, attr)))
if sys.version_info >= (3, 3):
    check('__qualname__', j.__qualname__ == documented.__qualname__)
check('__wrapped__', j.__wrapped__ is documented)
check('compiling a compiled function returns it',
      anyjit.jit(j) is j and anyjit.jit(strict=True)(j) is j)
check('__dict__', j.custom == 'attr')
check('defaults', j(1) == documented(1) and j(1, 2, 3, x=4) == documented(1, 2, 3, x=4))
try:
    j()
except TypeError as e:
    try:
        documented()
    except TypeError as e2:
        check('argument error message', str(e) == str(e2), '%s vs %s' % (e, e2))
if sys.version_info >= (3, 3):
    import inspect
    check('signature', str(inspect.signature(j)) == str(inspect.signature(documented)))


class K(object):
    factor = 3

    @anyjit.jit
    def method(self, x):
        return x * self.factor

    @staticmethod
    @anyjit.jit
    def static(x):
        return x + 1

    @classmethod
    @anyjit.jit
    def klass(cls, x):
        return cls.factor - x


k = K()
check('method binding', k.method(2) == 6 and K.method(k, 2) == 6)
check('staticmethod', K.static(1) == 2 and k.static(1) == 2)
check('classmethod', K.klass(1) == 2 and k.klass(1) == 2)
check('compiled method', anyjit.is_compiled(K.__dict__['method']))


@anyjit.jit(strict=True)
def decorated(x):
    return x - 1


check('decorator with arguments', decorated(3) == 2 and anyjit.is_compiled(decorated))

# strict mode names the construct, the file and the line
def needs_generator(n):
    for i in range(n):
        yield i

line = needs_generator.__code__.co_firstlineno
try:
    anyjit.jit(needs_generator, strict=True)
    check('strict refuses', False)
except anyjit.UnsupportedError as e:
    msg = str(e)
    check('strict message', 'needs_generator' in msg and os.path.basename(__file__) in msg and ':%d' % line in msg
          and 'generator' in msg, msg)
check('fallback runs the interpreter', list(anyjit.jit(needs_generator)(3)) == [0, 1, 2])
check('fallback reason recorded', any('needs_generator' in k for k in anyjit.stats()['fallback_reasons']))

# tiers: the first call runs the quick tier's code, the second compiles the function again,
# optimised, and runs that; recursion keeps the running activations in the older code
def tiered(n):
    if n <= 1:
        return 1
    return n * tiered(n - 1)

before = anyjit.stats()['optimized']
tiered = anyjit.jit(tiered, strict=True)
first = tiered(5)
check('quick tier answers', first == 120 and anyjit.stats()['optimized'] == before + 1, first)
check('optimising tier answers', [tiered(k) for k in (1, 6, 10)] == [1, 720, 3628800])
check('one optimisation per function', anyjit.stats()['optimized'] == before + 1)
# type feedback: the first call records what each operator sees, and the optimising
# compilation made by the second call uses it (the product, the modulo, the sum, the comparison)
def fed(x, y):
    return x * 2 % 7 + y < 9


sites = anyjit.stats()['feedback_sites']
jf = anyjit.jit(fed, strict=True)
check('type feedback answers', [jf(3, 1.5), jf(4, 2.5)] == [fed(3, 1.5), fed(4, 2.5)])
check('the optimising tier compiles for recorded type feedback',
      anyjit.stats()['feedback_sites'] >= sites + 4, anyjit.stats()['feedback_sites'] - sites)



# which inline paths the generic tier compiled, site by site kind: those type feedback saw, and
# no others (specialisation, which replaces the int and float ones by unboxed operations, is
# turned off for these; it is checked below)
def int_sites(a, b, xs):
    return a + b, a - b < 3, xs[a], len(xs)


def float_sites(x, y):
    return x * y + x


def str_sites(s, t):
    return s + t


def calling_sites(n):
    return int_sites(n, 1, [0, 1, 2]), float_sites(1.5, 2.0)


previous_spec = anyjit._specialize(False)
ji, jfl, js = [anyjit.jit(f, strict=True) for f in (int_sites, float_sites, str_sites)]
check('no inline paths before optimisation', anyjit._inline_paths(ji) == {})
for _ in range(2):
    ji(1, 2, [4, 5]), jfl(1.5, 2.5), js('a', 'b')
paths = anyjit._inline_paths(ji)
# a + b, a - b, (a - b) < 3; len is 2.7's inline METH_O builtin call, found by 2.7's inline
# probes of the globals and builtins dicts (3.x: the cache of their version tags or watchers)
# (3.x: + and - take the int type's own slots for big ints; 2.7 promotes to long the C API's way)
check('int inline paths', paths == dict({'int': 3, 'list_index': 1}, **(
    {'builtin_call': 1, 'global_probe': 2} if sys.version_info < (3,) else {'len()': 1, 'int_slot': 2})),
      paths)
paths = anyjit._inline_paths(jfl)
check('float inline paths', paths == {'float': 2}, paths)
paths = anyjit._inline_paths(js)
# 2.7's str is bytes: no inline path for it
check('str inline paths', paths == ({} if sys.version_info < (3,) else {'str': 1}), paths)
saved_sites = int_sites, float_sites
globals()['int_sites'], globals()['float_sites'] = ji, jfl
jcs = anyjit.jit(calling_sites, strict=True)
jcs(1), jcs(1)
globals()['int_sites'], globals()['float_sites'] = saved_sites
paths = anyjit._inline_paths(jcs)
check('direct call sites', paths.get('compiled_call') == 2, paths)
try:
    anyjit._inline_paths(int_sites)
    check('_inline_paths refuses a plain function', False)
except TypeError:
    check('_inline_paths refuses a plain function', True)
# operators of two exact ints, big ones included, call the int type's own slots (no dispatch;
# 2.7's feedback tells its longs from its ints: they go through the C API)
def big_ops(a, b):
    return a | b, a ^ b


jbo = anyjit.jit(big_ops, strict=True)
for _ in range(2):
    r = jbo(2 ** 70, 2 ** 66 + 3)
check('big ints through the int slots', r == big_ops(2 ** 70, 2 ** 66 + 3)
      and anyjit._inline_paths(jbo).get('int_slot') == (2 if sys.version_info >= (3,) else None),
      anyjit._inline_paths(jbo))

# 3.11+: a builtin type's method called as a method (a set's add, a str's upper) calls its C
# function directly, where the feedback saw such methods; a plain call of a builtin (len) and
# list.append (inlined on its own) do not get that path
def builtin_method_sites(s, xs, t):
    s.add(len(xs))
    xs.append(t.upper())
    return sorted(s), xs


jbm = anyjit.jit(builtin_method_sites, strict=True)
for _ in range(2):
    r = jbm(set([9]), [], 'a')
check('builtin methods called directly', r == builtin_method_sites(set([9]), [], 'a')
      and anyjit._inline_paths(jbm).get('method_descr_call') == (
          2 if sys.version_info >= (3, 11) else None), anyjit._inline_paths(jbm))

anyjit._specialize(previous_spec)

# the specialising tier: the same int and float sites as unboxed operations, the locals typed,
# and nothing of it in the generic code left for the sites that saw other types
ji, jfl = [anyjit.jit(f, strict=True) for f in (int_sites, float_sites)]
for _ in range(2):
    ji(1, 2, [4, 5]), jfl(1.5, 2.5)
spec = anyjit._specialized(ji)
# a + b, a - b, (a - b) < 3 unboxed; a and b typed ints (xs[a] and len stay generic)
check('specialised int sites', spec['specialized'] and spec['unboxed_ops'] == 3
      and spec['locals'] == {'a': 'int', 'b': 'int'}, spec)
spec = anyjit._specialized(jfl)
check('specialised float sites', spec['unboxed_ops'] == 2
      and spec['locals'] == {'x': 'float', 'y': 'float'}, spec)
# a guard that fails resumes the generic code (compiled then) and gives the interpreter's answer
failed_before = anyjit.stats()["guard_failures"]
check('a failing guard gives the right answer', jfl(2, 3.5) == float_sites(2, 3.5))
check('a failing guard is counted', anyjit.stats()['guard_failures'] == failed_before + 1,
      anyjit.stats()['guard_failures'] - failed_before)
check('the generic code was compiled to resume', anyjit.stats()['resume_compiles'] >= 1)
# guards that keep failing get the function specialised again without them (once here), and
# it stops failing
for _ in range(12):
    jfl(2, 3.5)
spec = anyjit._specialized(jfl)
check('respecialised without the failing guard', spec['compilations'] == 2
      and 'x' not in spec['locals'], spec)
failed_before = anyjit.stats()["guard_failures"]
for _ in range(20):
    jfl(2, 3.5)
check('no more failures after respecialising',
      anyjit.stats()['guard_failures'] == failed_before, anyjit.stats()["guard_failures"] - failed_before)
# int constants that generic code takes (big-int arithmetic here) are pushed as the constants'
# objects, not unboxed and boxed again at every iteration
def big_lcg(n):
    x = 12345678901234567890
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407 + i) % 2 ** 100
    return x


jb = anyjit.jit(big_lcg, strict=True)
for _ in range(3):
    jb(50)
spec = anyjit._specialized(jb)
check('constants generic code takes stay objects', jb(50) == big_lcg(50) and spec['specialized']
      and spec['locals'] == {'i': 'int'} and spec['borrowed_consts'] == 2, spec)


# an int that grows past 64 bits in later calls breaks every site it reaches: the generic code
# the first failure resumes records them all, so one more specialisation (after three calls
# that failed) stops the failures
def grows(n):
    f = 1
    s = 0
    for k in range(2, n):
        f *= k
        s += f % 7
    return s


jgr = anyjit.jit(grows, strict=True)
jgr(10), jgr(10)
first = anyjit._specialized(jgr)
failed_before = anyjit.stats()['guard_failures']
check('a growing int gives the interpreter\'s answers', all(jgr(40) == grows(40) for _ in range(10)))
spec = anyjit._specialized(jgr)
check('its guards failed in three calls, then it was specialised again once',
      'f' in first['locals'] and anyjit.stats()['guard_failures'] - failed_before == 3
      and spec['compilations'] == first['compilations'] + 1 and 'f' not in spec['locals'],
      (first, spec, anyjit.stats()['guard_failures'] - failed_before))

# a large function (many try blocks, each an error path of its own) keeps its quick tier's code
# (whose frames stay small; the quick tier's code generation of its optimised code gave frames
# of tens of KB, which ran a recursion out of C stack long before the recursion limit), natively
# and with the interpreter's answers; the reason is in stats()['optimize_failures']
_src = ['def large(xs):', '    out = 0']
_src += ['    v%d = xs[%d %% len(xs)]' % (k, k) for k in range(16)]
_src.append('    for it in range(3):')
for k in range(16):
    _src += ['        try:', '            out += v%d * it + v%d // (it - 1)' % (k, (k + 1) % 16),
             '        except ZeroDivisionError as e:', '            out -= v%d + len(str(e))' % k]
_src.append('    return out')
_ns = {}
exec('\n'.join(_src), _ns)
jlarge = anyjit.jit(_ns['large'], strict=True)
large_before = anyjit.stats()['large_compiles']
calls_before = anyjit.stats()['native_calls']
check('a large function answers as the interpreter',
      all(jlarge([1, 2, 3]) == _ns['large']([1, 2, 3]) for _ in range(3)))
check('its optimising compilation was a large one, and it ran natively',
      anyjit.stats()['large_compiles'] > large_before
      and anyjit.stats()['native_calls'] >= calls_before + 3,
      (anyjit.stats()['large_compiles'] - large_before, anyjit.stats()['native_calls'] - calls_before))
check('it kept its quick tier, saying why',
      'this large' in anyjit.stats()['optimize_failures'].get('large', ''),
      anyjit.stats()['optimize_failures'])

spec_off = anyjit._specialize(False)
jg = anyjit.jit(float_sites, strict=True)
jg(1.5, 2.5), jg(1.5, 2.5)
check('_specialize(False) compiles generic code',
      not anyjit._specialized(jg)['specialized'] and anyjit._specialized(jg)['why_not'], anyjit._specialized(jg))
anyjit._specialize(spec_off)

# on-stack replacement: a function called once that loops long moves from the quick tier's
# code to the optimised code inside the loop (by default after 20000 backward jumps), once
def long_loop(n, fail_at):
    t = 0
    for i in range(n):
        t += i % 7
        if i == fail_at:
            raise ValueError('at %d' % i)
    return t


moves, optimized = anyjit.stats()['osr_entries'], anyjit.stats()['optimized']
jl = anyjit.jit(long_loop, strict=True)
check('a long loop in one call answers', jl(100000, -1) == long_loop(100000, -1))
check('a long loop in one call moves to the optimised code',
      anyjit.stats()['osr_entries'] == moves + 1 and anyjit.stats()['optimized'] == optimized + 1,
      anyjit.stats())
recompiled = anyjit.stats()['osr_recompiled']
check('later calls take the optimised code at once',
      jl(30000, -1) == long_loop(30000, -1) and anyjit.stats()['osr_entries'] == moves + 1)
# (the code made for the move has entries at its loop headers, which slow its loops: the next
# call compiles it again without them, once)
check('the next call compiles it again without its loop entries',
      anyjit.stats()['osr_recompiled'] == recompiled + 1, anyjit.stats())
check('and later calls keep that code',
      jl(30000, -1) == long_loop(30000, -1) and anyjit.stats()['osr_recompiled'] == recompiled + 1
      and anyjit.stats()['optimized'] == optimized + 1)


# a call inside the first one optimises the function (without loop entries) before the first
# call's loop asks to move: the move compiles the code once more, with them
def rec_loop(n, depth):
    if depth == 0:
        REC[0](10, 1)
    t = 0
    for i in range(n):
        t += i % 5
    return t


REC = [anyjit.jit(rec_loop, strict=True)]
moves, optimized, recompiled = (anyjit.stats()['osr_entries'], anyjit.stats()['optimized'],
                                anyjit.stats()['osr_recompiled'])
check('a move after an inner call optimised the function answers',
      REC[0](100000, 0) == rec_loop(100000, 0))
check('and moved into code compiled for it',
      anyjit.stats()['osr_entries'] == moves + 1 and anyjit.stats()['optimized'] == optimized + 1,
      anyjit.stats())
check('the next call answers and drops the loop entries',
      REC[0](1000, 1) == rec_loop(1000, 1) and anyjit.stats()['osr_recompiled'] == recompiled + 1,
      anyjit.stats())
jl = anyjit.jit(long_loop, strict=True)
try:
    jl(100000, 50000)
    check('an error after moving is raised', False)
except ValueError as e:
    tb = traceback.extract_tb(sys.exc_info()[2])
    check('an error after moving is raised', str(e) == 'at 50000', str(e))
    check('its traceback names the raising line',
          tb[-1][2] == 'long_loop' and tb[-1][1] == long_loop.__code__.co_firstlineno + 5, tb)
check('no other optimisation failed', set(anyjit.stats()['optimize_failures']) <= {'large'},
      anyjit.stats()['optimize_failures'])


# a first call that moves to the optimised code in its first loop has the code after that loop
# planned before it ever ran: that code records its feedback when it does run, and the next
# call specialises the function again, for it
def two_loops(n, xs):
    t = 0
    for i in range(n):
        t += i % 7
    s = 0.0
    for x in xs:
        s += x
    return t, s


j2 = anyjit.jit(two_loops, strict=True)
respecialized = anyjit.stats()['respecialized']
floats = [0.5] * 100
check('a first call moving to the optimised code answers', j2(100000, floats) == two_loops(100000, floats))
first = anyjit._specialized(j2)
check('its plan did not see the second loop', first['compilations'] == 1 and 'x' not in first['locals'], first)
check('the next call answers', j2(1000, floats) == two_loops(1000, floats))
second = anyjit._specialized(j2)
check('and specialises again for the code that ran late',
      second['compilations'] == 2 and second['locals'].get('x') == 'float'
      and second['unboxed_ops'] > first['unboxed_ops']
      and anyjit.stats()['respecialized'] == respecialized + 1, (first, second))
check('later calls keep that specialisation',
      j2(1000, floats) == two_loops(1000, floats) and anyjit._specialized(j2)['compilations'] == 2)
for bad in (-1, 2 ** 40):
    try:
        anyjit._osr_after(bad)
        check('a bad on-stack replacement threshold is refused', False)
    except (ValueError, OverflowError):
        check('a bad on-stack replacement threshold is refused', True)

try:
    anyjit.jit(len)
    check('non-function refused', False)
except TypeError as e:
    check('non-function refused', 'Python function' in str(e), str(e))


# tracebacks: the same text as the interpreter's
def inner(x):
    y = x + 1
    return y / 0


def outer(x):
    return inner(x) * 2


def tb_text(f):
    try:
        f(1)
    except ZeroDivisionError:
        return traceback.format_exc()


plain = tb_text(outer)
compiled_inner = anyjit.jit(inner, strict=True)
globals()['inner'], original_inner = compiled_inner, inner
compiled_outer = anyjit.jit(outer, strict=True)
got = tb_text(compiled_outer)
# the second call runs the optimising tier's code, which calls inner directly where it can
got_direct = tb_text(compiled_outer)
globals()['inner'] = original_inner
check('traceback text', got == plain, '\n--- interpreter\n%s--- compiled\n%s' % (plain, got))
check('traceback text through a direct call', got_direct == plain,
      '\n--- interpreter\n%s--- compiled\n%s' % (plain, got_direct))


# direct calls: the optimising tier calls a compiled callee without evaluating its
# trampoline, building the callee's frame itself (a frame object up to 3.10, an interpreter
# frame on the thread's frame stack from 3.11)
def callee(a, b=3):
    return a * b


def caller(n):
    t = 0
    for i in range(n):
        t += callee(i)
    return t


want = caller(50)
globals()['callee'] = anyjit.jit(callee, strict=True)
jc = anyjit.jit(caller, strict=True)
first = jc(50)
direct = anyjit.stats()['direct_calls']
second = jc(50)
made = anyjit.stats()['direct_calls'] - direct
check('direct calls answer', [first, second] == [want, want], (first, second, want))
check('direct calls made', made == 50, made)
# up to 3.10 (3.x) each of them takes the callee's spare frame, the one the call before it
# finished with; 2.7 and 3.11+ keep no spare frames
reused = anyjit.stats()['frames_reused']
third = jc(50)
reused = anyjit.stats()['frames_reused'] - reused
check('direct calls reuse frames', third == want and
      reused == (50 if (3,) <= sys.version_info < (3, 11) else 0), reused)


# instances of a class whose __init__ is compiled: from the second construction at a call
# site, the optimised code allocates the instance and calls the compiled __init__ directly
class Pt(object):
    def __init__(self, x):
        self.x = x


def make(n):
    t = 0
    for i in range(n):
        t += Pt(i).x
    return t


Pt.__init__ = anyjit.jit(Pt.__dict__['__init__'], strict=True)
jm = anyjit.jit(make, strict=True)
first = jm(50)
direct = anyjit.stats()['direct_calls']
second = jm(50)
made = anyjit.stats()['direct_calls'] - direct
check('direct constructions answer', [first, second] == [make(50)] * 2, (first, second))
check('direct constructions made', made == 49, made)
# what the optimised code of `make` has for them: the attribute load's cache (every build)
# and, from 3.11, the construction, the frame push and the attribute read emitted inline
paths = anyjit._inline_paths(jm)
inline = sys.version_info >= (3, 11)
check('construction inline paths',
      (paths.get('compiled_call'), paths.get('attr_cache'), paths.get('construct'),
       paths.get('attr_values')) == ((1, 1, 1, 1) if inline else (1, 1, None, None)), paths)
paths = anyjit._inline_paths(jc)
check('direct call inline paths',
      (paths.get('compiled_call'), paths.get('frame_push')) == (1, 1 if inline else None), paths)


# deep recursion: RecursionError, never a crash
def recurse(n):
    return recurse(n + 1) + 1


globals()['recurse'] = anyjit.jit(recurse, strict=True)
try:
    recurse(0)
    check('RecursionError', False)
except RuntimeError as e:  # RecursionError is a RuntimeError subclass (3.5+); 2.7 raises RuntimeError
    check('RecursionError', 'recursion' in str(e), str(e))


# under the default limit, recursion as deep as the interpreter's (3.12 used to stop at 750 of
# 1000, counting each call against the C recursion budget); past a limit raised beyond what the
# thread's C stack holds, RecursionError at the stack's limit, never a crash
def depth(n):
    return depth(n - 1) + 1 if n else 0


globals()['depth'] = anyjit.jit(depth, strict=True)
for _ in range(3):
    native = anyjit.stats()['native_calls']
    check('recursion 900 deep under the default limit, natively',
          depth(900) == 900 and anyjit.stats()['native_calls'] - native >= 901,
          anyjit.stats()['native_calls'] - native)
limit = sys.getrecursionlimit()
sys.setrecursionlimit(10 ** 6)
try:
    for _ in range(2):
        try:
            depth(300000)
            check('RecursionError at the C stack limit', False)
        except RuntimeError as e:
            check('RecursionError at the C stack limit', 'recursion' in str(e), str(e))
finally:
    sys.setrecursionlimit(limit)
check('recursion after the stack limit', depth(500) == 500)


# a recursion that tiers up inside its first call keeps its calls below direct (the code it
# left is freed when the outermost call returns; its calls used to go through the interpreter
# from then on, and ran out of C stack at about 4,000 levels)
def deep_first(n):
    return deep_first(n - 1) + 1 if n else 0


globals()['deep_first'] = anyjit.jit(deep_first, strict=True)
sys.setrecursionlimit(7000)
try:
    direct = anyjit.stats()['direct_calls']
    check('a first call 6,000 deep, its calls direct',
          deep_first(6000) == 6000 and anyjit.stats()['direct_calls'] - direct >= 5900,
          anyjit.stats()['direct_calls'] - direct)
finally:
    sys.setrecursionlimit(limit)


# Ctrl-C interrupts a compiled infinite loop promptly, and other threads get the GIL
def spin(n):
    i = 0
    while n:
        i += 1
    return i


spinner = anyjit.jit(spin, strict=True)
# (a shell's background job starts with SIGINT ignored, which the interpreter keeps: the loop
# would never hear the signal)
signal.signal(signal.SIGINT, signal.default_int_handler)
timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
start = time.time()
timer.start()
try:
    spinner(1)
    check('KeyboardInterrupt', False)
except KeyboardInterrupt:
    # the timer thread needs the GIL to send the signal at 0.3 s: the compiled loop must let
    # it in as the interpreter would (it used to starve it for seconds)
    check('KeyboardInterrupt', time.time() - start < 2, time.time() - start)


# ... and a compiled recursion without loops, whose calls are direct (no trampoline to check
# for signals and GIL requests)
def burn(n):
    return burn(n - 1) + burn(n - 1) if n else 1


globals()['burn'] = anyjit.jit(burn, strict=True)
burn(3)
timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
direct, start = anyjit.stats()['direct_calls'], time.time()
timer.start()
try:
    burn(26)  # some 10 s without an interrupt
    check('KeyboardInterrupt in direct calls', False)
except KeyboardInterrupt:
    check('KeyboardInterrupt in direct calls',
          time.time() - start < 2 and anyjit.stats()['direct_calls'] > direct + 1000,
          (time.time() - start, anyjit.stats()['direct_calls'] - direct))


# tracing sees the function's lines (the interpreter runs it)
seen = []


def tracer(frame, event, arg):
    if frame.f_code.co_name == 'traced':
        seen.append((event, frame.f_lineno))
    return tracer


def traced(x):
    y = x * 2
    return y


jt = anyjit.jit(traced, strict=True)
sys.settrace(tracer)
try:
    r = jt(4)
finally:
    sys.settrace(None)
check('tracing result', r == 8)
check('tracing sees lines', ('line', traced.__code__.co_firstlineno + 1) in seen, repr(seen))

# a compiled function whose entry is dropped while it runs (its trampoline's cell rebound,
# 3.7+) finishes that call; later calls fail cleanly
def victim(n):
    if n == 1:
        victim.__closure__[0].cell_contents = None
    return n * 2


def victim_caller(n):
    return victim(n) + victim(n)


if sys.version_info >= (3, 7):
    globals()['victim'] = anyjit.jit(victim, strict=True)
    vc = anyjit.jit(victim_caller, strict=True)
    vc(2)
    vc(2)
    try:
        vc(1)
        check('entry dropped during a call', False)
    except TypeError as e:
        check('entry dropped during a call', 'not callable' in str(e), str(e))


# a compiled function kept in its own globals (a recursive one, say) is freed with them: the
# cycle globals -> wrapper -> entry -> original function -> globals is one the collector sees
import gc
import weakref

ns = {}
exec('def rec(n):\n    return rec(n - 1) if n else 0\n', ns)
original = ns['rec']
ns['rec'] = anyjit.jit(original, strict=True)
ns['rec'](5)
ns['rec'](5)
alive = weakref.ref(original)
del original, ns
gc.collect()
check('a compiled function in its own globals is collected', alive() is None)

for f in failures:
    print('FAIL ' + f)
print('%s: %d passed, %d failed' % (anyjit.info()['descriptor'], passed[0], len(failures)))
sys.exit(1 if failures else 0)
