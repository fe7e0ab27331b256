# Imports anyjit and checks anyjit.info() against what the interpreter says about itself.
# Usage: python check_import.py EXPECTED_DESCRIPTOR_ID
# Prints the extension's real path on the last line (the matrix test checks it is one file for
# every interpreter) and exits 1 on any difference.
from __future__ import print_function

import os
import struct
import sys

import anyjit

info = anyjit.info()
problems = []


def expect(key, want, kind):
    got = info.get(key)
    if got != want or type(got) is not kind:
        problems.append('%s: %r (%s), expected %r (%s)' % (key, got, type(got).__name__, want, kind.__name__))


expect('version', tuple(sys.version_info[:3]), tuple)
if any(type(v) is not int for v in info['version']):
    problems.append('version items must be ints: %r' % (info['version'],))
expect('debug', hasattr(sys, 'gettotalrefcount'), bool)
if sys.version_info[0] >= 3:
    unicode_kind = 'pep393'
else:
    unicode_kind = 'ucs2' if sys.maxunicode == 0xFFFF else 'ucs4'
expect('unicode', unicode_kind, str)
expect('pointer_bits', struct.calcsize('P') * 8, int)
expect('gil_disabled', False, bool)
expect('descriptor', sys.argv[1], str)
for key in ('descriptor_exact', 'provenance', 'target', 'cpu'):
    if key not in info:
        problems.append('missing key %s' % key)
if anyjit.info() == info and anyjit.info() is info:
    problems.append('info() must return a new dict each call')
for p in problems:
    print('FAIL ' + p)
print(os.path.realpath(anyjit.__file__))
sys.exit(1 if problems else 0)
