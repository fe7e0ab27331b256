# CPython's own tests of pure-Python standard library modules, run with those modules' functions
# compiled: every plain function of the modules (module level and class bodies, methods
# included; generators and coroutines are not compiled) is replaced by `anyjit.jit(f,
# strict=True)`, then the interpreter's test module for them runs under unittest in a child
# process. Each suite must pass and must have run compiled code (the native calls counted by
# `anyjit.stats()` grow); a function the generic tier cannot compile is counted, not hidden.
# Prints one line per suite and a closing summary; exits 1 on any failure, and when the
# interpreter has no `test` package (Debian ships it as libpython3.X-testsuite). Each child
# runs in a directory of its own, removed afterwards: the suites make and delete files in the
# working directory (test_zipfile, for one, removes `./target`).
#     python check_stdlib.py                 every suite this interpreter has
#     python check_stdlib.py test_textwrap   the suites named
# Python 2 and 3 compatible.
from __future__ import print_function

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import types
import unittest

PY2 = sys.version_info[0] == 2

# (test module, modules compiled, first version, last version)
SUITES = [
    ('test_fractions', ['fractions'], (2, 7), None),
    ('test_difflib', ['difflib'], (2, 7), None),
    ('test_shlex', ['shlex'], (2, 7), None),
    ('test_string', ['string'], (2, 7), None),
    ('test_calendar', ['calendar'], (2, 7), None),
    ('test_fnmatch', ['fnmatch'], (2, 7), None),
    ('test_posixpath', ['posixpath', 'genericpath'], (2, 7), None),
    ('test_textwrap', ['textwrap'], (2, 7), None),
    ('test_pprint', ['pprint'], (2, 7), None),
    ('test_copy', ['copy'], (2, 7), None),
    ('test_configparser', ['configparser'], (3, 0), None),
    ('test_urlparse', ['urlparse'], (2, 7), (2, 7)),
    ('test_urlparse', ['urllib.parse'], (3, 0), None),
    ('test_enum', ['enum'], (3, 6), None),
    ('test_ipaddress', ['ipaddress'], (3, 6), None),
    ('test_re', ['sre_parse', 'sre_compile', 're'], (2, 7), (3, 10)),
    ('test_re', ['re._parser', 're._compiler', 're'], (3, 11), None),
    ('test_collections', ['collections'], (3, 6), None),
    ('test_graphlib', ['graphlib'], (3, 9), None),
    ('test_sched', ['sched'], (3, 0), None),
    ('test_weakset', ['_weakrefset'], (2, 7), None),
    ('test_cookie', ['Cookie'], (2, 7), (2, 7)),
    ('test_http_cookies', ['http.cookies'], (3, 0), None),
    ('test_netrc', ['netrc'], (2, 7), None),
    ('test_plistlib', ['plistlib'], (3, 6), None),
]

CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR = 0x20, 0x80, 0x200


def compile_module(anyjit, mod):
    """Replaces the module's plain functions (and its classes' methods) by compiled wrappers;
    returns (compiled, not compilable). A function stored under another name or in another
    class (`Flag.__new__ = Enum.__new__`) is left alone: code may compare it by identity."""
    done = [0, 0]
    seen = set()

    def walk(ns, owner):
        for name, v in list(vars(ns).items()):
            expect = name if owner is None else owner + '.' + name
            if isinstance(v, types.FunctionType):
                if v.__module__ != mod.__name__ or getattr(v, '__qualname__', expect) != expect:
                    continue
                if PY2 and owner is not None and v.__name__ != name:
                    continue
                if v.__code__.co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR):
                    continue
                try:
                    setattr(ns, name, anyjit.jit(v, strict=True))
                    done[0] += 1
                except anyjit.UnsupportedError:
                    done[1] += 1
            elif isinstance(v, type) and v.__module__ == mod.__name__ and v not in seen:
                seen.add(v)
                walk(v, getattr(v, '__qualname__', v.__name__))

    walk(mod, None)
    return done


def child(test_name, modules):
    import anyjit
    compiled = [0, 0]
    for m in modules:
        c, u = compile_module(anyjit, importlib.import_module(m))
        compiled[0] += c
        compiled[1] += u
    before = anyjit.stats()['native_calls']
    suite = unittest.TestLoader().loadTestsFromModule(importlib.import_module('test.' + test_name))
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(suite)
    native = anyjit.stats()['native_calls'] - before
    ok = result.wasSuccessful() and native > 0 and compiled[0] > 0
    print('%s %s: %d tests, %d failures, %d errors; %d functions compiled, %d not compilable; '
          '%d native calls' % ('ok' if ok else 'FAILED', test_name, result.testsRun,
                               len(result.failures), len(result.errors), compiled[0], compiled[1],
                               native))
    return 0 if ok else 1


def main(names):
    here = sys.version_info[:2]
    try:
        import test  # noqa: F401
        importlib.import_module('test.test_textwrap')
    except ImportError:
        print('FAILED: %s has no test package (Debian: libpython%d.%d-testsuite)'
              % (sys.executable, here[0], here[1]))
        return 1
    suites = [s for s in SUITES if s[2] <= here and (s[3] is None or here <= s[3])
              and (not names or s[0] in names)]
    failed = 0
    passed_tests = 0
    functions = 0
    # (the children run elsewhere: a relative PYTHONPATH made absolute)
    env = dict(os.environ)
    if env.get('PYTHONPATH'):
        env['PYTHONPATH'] = os.pathsep.join(os.path.abspath(p) if p else p
                                            for p in env['PYTHONPATH'].split(os.pathsep))
    for test_name, modules, _, _ in suites:
        work = tempfile.mkdtemp(prefix='anyjit-stdlib-')
        try:
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--child',
                                  test_name, ','.join(modules)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work,
                                 env=env)
            out, err = p.communicate()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        out = out.decode('utf-8', 'replace').strip()
        line = out.splitlines()[-1] if out else ''
        print(line or 'FAILED %s: no result (exit %d)' % (test_name, p.returncode))
        if p.returncode != 0 or not line.startswith('ok'):
            failed += 1
            sys.stdout.write(err.decode('utf-8', 'replace')[-4000:] + '\n')
        else:
            passed_tests += int(line.split(': ')[1].split()[0])
            functions += int(line.split('; ')[1].split()[0])
    print('stdlib suites with their modules compiled: %d passed (%d tests, %d functions), '
          '%d failed' % (len(suites) - failed, passed_tests, functions, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--child']:
        sys.exit(child(sys.argv[2], sys.argv[3].split(',')))
    sys.exit(main(sys.argv[1:]))
