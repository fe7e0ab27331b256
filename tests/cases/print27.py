# 2.7's print statement: PRINT_ITEM(_TO) and PRINT_NEWLINE(_TO), with the soft-space protocol
# on real files, on objects with a softspace attribute, on objects that refuse one, and
# through sys.stdout (replaced, None as the stream, deleted).
MAX_VERSION = (2, 7)
import sys
import tempfile


class Stream(object):
    """Collects what is written; keeps `softspace` as an ordinary attribute."""

    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)

    def __repr__(self):
        return 'Stream(%r, %r)' % (self.parts, getattr(self, 'softspace', None))


class Rigid(object):
    """A stream that has no softspace and refuses one."""
    __slots__ = ('parts',)

    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)

    def __repr__(self):
        return 'Rigid(%r)' % (self.parts,)


class Failing(object):
    def write(self, s):
        raise IOError('disk full: %r' % (s,))

    def __repr__(self):
        return 'Failing(%r)' % (getattr(self, 'softspace', None),)


class BadStr(object):
    def __str__(self):
        raise ValueError('no text')


class Text(str):
    def __len__(self):
        return 0

    def __getitem__(self, i):
        return '\n'


def items(s):
    print >>s, 1, 'a', 2.5, None, (1, 2)
    print >>s, 'tab\t',
    print >>s, 'next'
    print >>s, 'space ',
    print >>s, 'x',
    print >>s
    print >>s, '', 'empty', u'uni\xe9', u'nl\n',
    print >>s, Text('sub'),
    print >>s, 'end'
    return s


def to_stdout(s):
    saved = sys.stdout
    sys.stdout = s
    try:
        print 'a', 'b'
        print 'c',
        print >>None, 'd'
        print
    finally:
        sys.stdout = saved
    return s


def to_file():
    f = tempfile.TemporaryFile()
    print >>f, 'one', 2,
    print >>f, 'three\n',
    print >>f, 'four'
    print >>f
    f.seek(0)
    return f.read()


def failing(s):
    print >>s, 'x'


def bad_item(s):
    print >>s, 'before', BadStr()
    return s


def lost_stdout():
    saved = sys.stdout
    del sys.stdout
    try:
        print 'nowhere'
    finally:
        sys.stdout = saved


def lost_stdout_newline():
    saved = sys.stdout
    del sys.stdout
    try:
        print
    finally:
        sys.stdout = saved


def not_a_stream(n):
    print >>n, 'x'


def in_loop(s, n):
    for i in range(n):
        print >>s, i,
    print >>s
    return s


CASES = [
    ('items', (Stream(),), {}), ('items', (Rigid(),), {}),
    ('to_stdout', (Stream(),), {}), ('to_file', (), {}),
    ('failing', (Failing(),), {}), ('bad_item', (Stream(),), {}),
    ('lost_stdout', (), {}), ('lost_stdout_newline', (), {}),
    ('not_a_stream', (5,), {}), ('in_loop', (Stream(), 4), {}),
]
