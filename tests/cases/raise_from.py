# raise ... from (3.x syntax): causes, suppressed context, and bad causes.
MIN_VERSION = (3, 0)

def chained(x):
    raise ValueError('outer %s' % x) from KeyError(x)

def cause_class(x):
    raise ValueError(x) from TypeError

def no_context(x):
    raise ValueError(x) from None

def bad_cause(x):
    raise ValueError(x) from 5

CASES = [
    ('chained', ('a',), {}), ('cause_class', (1,), {}), ('no_context', (2,), {}), ('bad_cause', (3,), {}),
]
