# Python 2 only: `raise type, value[, traceback]`, bare raise in 2.7 terms, classic (old-style)
# classes as exceptions, and the handled exception staying current after the except clause.
import sys

MAX_VERSION = (2, 7)


class Old:
    def __repr__(self):
        return 'Old()'


class Boom(Exception):
    pass


def raise_type_value(x):
    raise ValueError, x


def raise_type_tuple(x):
    raise KeyError, (x, 1)


def raise_instance_value(x):
    raise ValueError(x), 'extra'


def raise_with_tb(x):
    try:
        1 / x
    except ZeroDivisionError:
        tb = sys.exc_info()[2]
    raise Boom, 'again', tb


def raise_bad_tb(x):
    raise Boom, 'x', x


def raise_old_style(x):
    try:
        raise Old
    except Old as e:
        return 'caught %r' % (e,)


def raise_old_instance(x):
    try:
        raise Old()
    except Old:
        return sys.exc_info()[0] is Old


def bare_raise_nothing():
    raise


def bare_raise_after(x):
    try:
        raise Boom(x)
    except Boom:
        pass
    # 2.7 keeps the exception current until the function returns
    raise


def exc_info_after_clause(x):
    try:
        raise Boom(x)
    except Boom:
        pass
    return sys.exc_info()[0].__name__


def raise_tuple_type(x):
    raise (KeyError, ValueError), x


def raise_non_exception(x):
    raise x


def finally_sees_previous(x):
    try:
        try:
            raise Boom('first')
        except Boom:
            pass
        try:
            raise KeyError(x)
        finally:
            seen = sys.exc_info()[0].__name__
    except KeyError:
        return seen


def catch_string(x):
    try:
        raise ValueError(x)
    except ('nope', ValueError):
        return 'tuple with a string'


CASES = [
    ('raise_type_value', (3,), {}), ('raise_type_tuple', ('k',), {}),
    ('raise_instance_value', (1,), {}),
    ('raise_with_tb', (0,), {}), ('raise_bad_tb', (5,), {}),
    ('raise_old_style', (1,), {}), ('raise_old_instance', (1,), {}),
    ('bare_raise_nothing', (), {}), ('bare_raise_after', (2,), {}),
    ('exc_info_after_clause', (4,), {}),
    ('raise_tuple_type', ('v',), {}), ('raise_non_exception', (3,), {}),
    ('finally_sees_previous', (1,), {}),
    ('catch_string', (2,), {}),
]
