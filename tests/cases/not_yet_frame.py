# Calls that read the calling frame's local variables: compiled code keeps them out of its
# frame, so strict mode must refuse these functions by name, and the default wrapper must give
# the interpreter's answers (it runs them in the interpreter). The same builtins with an
# explicit argument or namespace are compiled (see also attrs.py: vars(p)).
NOT_COMPILED = "reads the frame's local variables"


def with_locals(n):
    x = n * 3
    return '%(n)s-%(x)s' % locals()


def with_vars(n):
    x = n + 1
    return sorted(vars().items())


def with_dir(n):
    y = n
    return dir()


def with_eval(n):
    x = n * 2
    return eval('x + n')


CASES = [
    ('with_locals', (5,), {}),
    ('with_vars', (2,), {}),
    ('with_dir', (1,), {}),
    ('with_eval', (4,), {}),
]
