# 2.7's exec statement is not compiled yet: strict mode must refuse it by name, and the default
# wrapper must give the interpreter's answers.
MAX_VERSION = (2, 7)
NOT_COMPILED = 'the exec statement'


def run_code(code):
    ns = {}
    exec code in ns
    return ns.get('x')


def exec_fails(code):
    exec code in {}


CASES = [
    ('run_code', ('x = 6 * 7',), {}),
    ('exec_fails', ('1 / 0',), {}),
]
