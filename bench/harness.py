# anyjit's benchmark harness, run inside one interpreter by `anyjit bench`:
#     python bench/harness.py [KERNEL ...]
# For each kernel in bench/kernels: the interpreter and the generic tier (anyjit.jit, strict)
# side by side in this process, after a warm-up, best of 7 rounds that alternate them;
# checksums must agree. Prints one tab-separated line per kernel:
#     kernel interp_s jit_s speedup checksum_ok compile_ms memory_kib optimize_ms first_call compile_each
# Every function of a kernel is compiled, methods of its classes included, so that calls between
# them run compiled.
# (compile_ms: the quick compilations of all of them; optimize_ms: the optimising compilations
# their second calls make)
# (first_call: one call on N_ONCE (default 5*N) of the kernel freshly compiled, compilation
# included, against one interpreted call: what a program calling it once gains, through
# on-stack replacement)
# (compile_each: every function's quick compilation in ms, comma-separated)
# (memory: resident set growth across the compilation, from /proc/self/statm where it exists)
# Python 2 and 3 compatible.
from __future__ import print_function

import glob
import os
import sys
import time
import types

import anyjit

clock = getattr(time, 'perf_counter', time.time)
CLASS_TYPES = (type, getattr(types, 'ClassType', type))
HERE = os.path.dirname(os.path.abspath(__file__))
names = sys.argv[1:] or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, 'kernels', '*.py')))


def rss_kib():
    try:
        with open('/proc/self/statm') as fh:
            return int(fh.read().split()[1]) * (os.sysconf('SC_PAGE_SIZE') // 1024)
    except (IOError, OSError, ValueError, AttributeError):
        return 0


def best_pair(f, j, n, rounds=7):
    """Best time of each of `f` and `j` over `rounds` rounds that run them alternately, so that a
    slow spell of the machine weighs on both alike."""
    bests, results = [float('inf'), float('inf')], [None, None]
    for _ in range(rounds):
        for k, g in enumerate((f, j)):
            t = clock()
            results[k] = g(n)
            bests[k] = min(bests[k], clock() - t)
    return bests[0], results[0], bests[1], results[1]


# warm up: the first compilation in a process also initialises LLVM
def _warm(x):
    return x + 1


anyjit.jit(_warm, strict=True)

def load(name):
    path = os.path.join(HERE, 'kernels', name + '.py')
    ns = {'__name__': 'bench_' + name}
    with open(path) as fh:
        exec(compile(fh.read(), path, 'exec', 0, True), ns)
    return ns


def compile_all(ns):
    """Compiles every function the kernel defines, methods of its classes included, in place
    (calls between them then run compiled); returns each quick compilation's time in ms."""
    times = []

    def jit(f):
        t = clock()
        j = anyjit.jit(f, strict=True)
        times.append((clock() - t) * 1000)
        return j

    for key, v in list(ns.items()):
        if getattr(v, '__module__', None) != ns['__name__']:
            continue
        if isinstance(v, types.FunctionType):
            ns[key] = jit(v)
        elif isinstance(v, CLASS_TYPES):
            for attr, f in list(vars(v).items()):
                if isinstance(f, types.FunctionType):
                    setattr(v, attr, jit(f))
    return times


for name in names:
    ns = load(name)
    f, n = ns['run'], ns['N']
    once = ns.get('N_ONCE', 5 * n)
    compiled = load(name)
    mem = rss_kib()
    try:
        times = compile_all(compiled)
    except anyjit.UnsupportedError as e:
        print('%s\t-\t-\t-\tunsupported\t%s' % (name, e))
        continue
    j = compiled['run']
    compile_ms = sum(times)
    mem = rss_kib() - mem
    # a program that calls the kernel once: compiled, then one long call (moving to the
    # optimised code in its loops), against one interpreted call
    t = clock()
    r_once = f(once)
    t_interp_once = clock() - t
    fresh = load(name)
    t = clock()
    compile_all(fresh)
    r_jit_once = fresh['run'](once)
    t_jit_once = clock() - t
    # warm-up: the second call of a compiled function compiles it again, optimised
    opt = anyjit.stats().get('optimize_ms', 0.0)
    f(n)
    j(n)
    j(n)
    opt_ms = anyjit.stats().get('optimize_ms', 0.0) - opt
    ti, ri, tj, rj = best_pair(f, j, n)
    print('%s\t%.5f\t%.5f\t%.2f\t%s\t%.1f\t%d\t%.1f\t%.2f\t%s' % (
        name, ti, tj, ti / tj, ri == rj and r_once == r_jit_once, compile_ms, mem, opt_ms,
        t_interp_once / t_jit_once, ','.join('%.2f' % x for x in times)))
    sys.stdout.flush()
