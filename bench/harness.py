# anyjit's benchmark harness, run inside one interpreter by `anyjit bench`:
#     python bench/harness.py [KERNEL ...]
# For each kernel in bench/kernels: the interpreter and the generic tier (anyjit.jit, strict)
# side by side in this process, after a warm-up, best of 5; checksums must agree. Prints one
# tab-separated line per kernel:
#     kernel  interp_s  jit_s  speedup  checksum_ok  compile_ms  memory_kib  optimize_ms  first_call
# (compile_ms: the first, quick compilation; optimize_ms: the optimising one a second call makes)
# (first_call: one call on 5*N of a freshly compiled function, compilation included, against one
# interpreted call: what a function called once gains, through on-stack replacement)
# (memory: resident set growth across the compilation, from /proc/self/statm where it exists)
# Python 2 and 3 compatible.
from __future__ import print_function

import glob
import os
import sys
import time

import anyjit

clock = getattr(time, 'perf_counter', time.time)
HERE = os.path.dirname(os.path.abspath(__file__))
names = sys.argv[1:] or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, 'kernels', '*.py')))


def rss_kib():
    try:
        with open('/proc/self/statm') as fh:
            return int(fh.read().split()[1]) * (os.sysconf('SC_PAGE_SIZE') // 1024)
    except (IOError, OSError, ValueError, AttributeError):
        return 0


def best(f, n, rounds=5):
    result, b = None, float('inf')
    for _ in range(rounds):
        t = clock()
        result = f(n)
        b = min(b, clock() - t)
    return b, result


# warm up: the first compilation in a process also initialises LLVM
def _warm(x):
    return x + 1


anyjit.jit(_warm, strict=True)

for name in names:
    path = os.path.join(HERE, 'kernels', name + '.py')
    ns = {'__name__': 'bench_' + name}
    with open(path) as fh:
        exec(compile(fh.read(), path, 'exec', 0, True), ns)
    f, n = ns['run'], ns['N']
    mem = rss_kib()
    t = clock()
    try:
        j = anyjit.jit(f, strict=True)
    except anyjit.UnsupportedError as e:
        print('%s\t-\t-\t-\tunsupported\t%s' % (name, e))
        continue
    compile_ms = (clock() - t) * 1000
    mem = rss_kib() - mem
    # a function called once: compiled, then one long call (moving to the optimised code in
    # its loop), against one interpreted call
    t = clock()
    r_once = f(5 * n)
    t_interp_once = clock() - t
    t = clock()
    r_jit_once = anyjit.jit(f, strict=True)(5 * n)
    t_jit_once = clock() - t
    # warm-up: the second call of a compiled function compiles it again, optimised
    opt = anyjit.stats().get('optimize_ms', 0.0)
    f(n // 10 or 1)
    j(n // 10 or 1)
    j(n // 10 or 1)
    opt_ms = anyjit.stats().get('optimize_ms', 0.0) - opt
    ti, ri = best(f, n)
    tj, rj = best(j, n)
    print('%s\t%.5f\t%.5f\t%.2f\t%s\t%.1f\t%d\t%.1f\t%.2f' % (
        name, ti, tj, ti / tj, ri == rj and r_once == r_jit_once, compile_ms, mem, opt_ms,
        t_interp_once / t_jit_once))
    sys.stdout.flush()
