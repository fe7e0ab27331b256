# anyjit's benchmark harness, run inside one interpreter by `anyjit bench`:
#     python bench/harness.py [KERNEL ...]
# For each kernel in bench/kernels, side by side in this process: the interpreter, the generic
# tier (anyjit.jit with specialisation turned off: no dispatch, inline paths for the types
# seen) and the specialised tier (anyjit.jit as users get it: unboxed ints and floats behind
# guards, counted loops). After a warm-up, the best of 7 rounds that alternate the three;
# checksums must agree. Prints one tab-separated line per kernel:
#     kernel interp_s generic_s spec_s generic_x spec_x checksum_ok compile_ms memory_kib
#     optimize_ms first_call compile_each guard_failures peak_kib
# Every function of a kernel is compiled, methods of its classes included, so that calls between
# them run compiled.
# (compile_ms: the quick compilations of all of them; optimize_ms: the optimising (specialising)
# compilations their second calls make)
# (first_call: one call on N_ONCE (default 5*N) of the kernel freshly compiled, compilation
# included, against one interpreted call: what a program calling it once gains, through
# on-stack replacement)
# (compile_each: every function's quick compilation in ms, comma-separated)
# (memory_kib: the memory the specialised copy's compiled functions hold once warmed up, quick
# tier freed and optimised code installed, garbage collected before and after: with glibc,
# malloc's bytes in use plus the read-only and executable anonymous mappings (machine code),
# else the resident set's growth; peak_kib: the process's peak resident set after the kernel)
# (guard_failures: guards of the specialised code that failed in the timed rounds)
# Python 2 and 3 compatible.
from __future__ import print_function

import gc
import glob
import os
import sys
import time
import types

import anyjit

try:
    import resource
except ImportError:
    resource = None

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


def _mallinfo2():
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        f = libc.mallinfo2
    except (ImportError, OSError, AttributeError):
        return None

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks', 'uordblks',
            'fordblks', 'keepcost')]

    f.restype = MallInfo2
    return f


MALLINFO2 = _mallinfo2()


def held_kib():
    """Memory the process holds, KiB: with glibc, what malloc has handed out and not taken
    back (exact, whatever pages the allocator keeps or reuses) plus the anonymous mappings
    that are not writable (machine code and its constants, which LLVM maps itself); else the
    resident set."""
    if MALLINFO2 is None:
        return rss_kib()
    m = MALLINFO2()
    total = m.uordblks + m.hblkhd
    try:
        with open('/proc/self/maps') as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 5 and parts[1] in ('r-xp', 'r--p'):
                    lo, hi = parts[0].split('-')
                    total += int(hi, 16) - int(lo, 16)
    except (IOError, OSError):
        pass
    return total // 1024


def peak_kib():
    if resource is None:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def best_of(funcs, n, rounds=7):
    """Best time of each of `funcs` over `rounds` rounds that run them in turn, so that a slow
    spell of the machine weighs on all alike; and each one's result."""
    bests = [float('inf')] * len(funcs)
    results = [None] * len(funcs)
    for _ in range(rounds):
        for k, g in enumerate(funcs):
            t = clock()
            results[k] = g(n)
            bests[k] = min(bests[k], clock() - t)
    return bests, results


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


def compile_all(ns, specialize=True):
    """Compiles every function the kernel defines, methods of its classes included, in place
    (calls between them then run compiled); returns each quick compilation's time in ms."""
    times = []
    previous = anyjit._specialize(specialize)

    def jit(f):
        t = clock()
        j = anyjit.jit(f, strict=True)
        times.append((clock() - t) * 1000)
        return j

    try:
        for key, v in list(ns.items()):
            if getattr(v, '__module__', None) != ns['__name__']:
                continue
            if isinstance(v, types.FunctionType):
                ns[key] = jit(v)
            elif isinstance(v, CLASS_TYPES):
                for attr, f in list(vars(v).items()):
                    if isinstance(f, types.FunctionType):
                        setattr(v, attr, jit(f))
    finally:
        anyjit._specialize(previous)
    return times


for name in names:
    # the previous kernel's namespaces are cyclic garbage holding its compiled functions: freed
    # here, outside the timed parts (a collection that lands in a compilation timed it too)
    ns = generic = spec = fresh = f = g = j = None
    gc.collect()
    ns = load(name)
    f, n = ns['run'], ns['N']
    once = ns.get('N_ONCE', 5 * n)
    generic = load(name)
    spec = load(name)
    try:
        compile_all(generic, specialize=False)
        # (memory: the specialised copy's compilations only, quick then optimised)
        gc.collect()
        mem = held_kib()
        times = compile_all(spec)
        gc.collect()
        mem = held_kib() - mem
    except anyjit.UnsupportedError as e:
        print('%s\t-\t-\t-\t-\t-\tunsupported\t%s' % (name, e))
        continue
    g, j = generic['run'], spec['run']
    compile_ms = sum(times)
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
    # warm-up: the second call of a compiled function compiles it again, optimised (and, for
    # the specialised tier, specialised)
    f(n)
    g(n)
    g(n)
    gc.collect()
    held = held_kib()
    opt = anyjit.stats().get('optimize_ms', 0.0)
    j(n)
    j(n)
    opt_ms = anyjit.stats().get('optimize_ms', 0.0) - opt
    gc.collect()
    mem += held_kib() - held
    failures = anyjit.stats()['guard_failures']
    (ti, tg, tj), (ri, rg, rj) = best_of((f, g, j), n)
    failures = anyjit.stats()['guard_failures'] - failures
    ok = ri == rg == rj and r_once == r_jit_once
    print('%s\t%.5f\t%.5f\t%.5f\t%.2f\t%.2f\t%s\t%.1f\t%d\t%.1f\t%.2f\t%s\t%d\t%d' % (
        name, ti, tg, tj, ti / tg, ti / tj, ok, compile_ms, mem, opt_ms,
        t_interp_once / t_jit_once, ','.join('%.2f' % x for x in times), failures, peak_kib()))
    sys.stdout.flush()
