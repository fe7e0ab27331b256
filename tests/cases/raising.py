# raise with a class or an instance, and assert (with and without a message); errors about
# raising non-exceptions come in the interpreter's words.

class MyError(Exception):
    pass

def raise_class(flag):
    if flag:
        raise ValueError
    return 0

def raise_instance(x):
    raise MyError('bad %s' % (x,))

def raise_non_exception(x):
    raise x

def check(x):
    assert x > 0
    assert x < 10, 'too big: %d' % x
    return x

CASES = [
    ('raise_class', (True,), {}), ('raise_class', (False,), {}),
    ('raise_instance', (3,), {}), ('raise_instance', ('s',), {}),
    ('raise_non_exception', (5,), {}), ('raise_non_exception', ('s',), {}), ('raise_non_exception', (KeyError('k'),), {}),
    ('raise_non_exception', (int,), {}),
    ('check', (5,), {}), ('check', (-1,), {}), ('check', (50,), {}),
]
