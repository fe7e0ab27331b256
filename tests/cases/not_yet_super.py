# Zero-argument super() finds the class and the instance in the calling frame (its `__class__`
# cell and first local), which compiled code keeps out of its frame; 3.12+ compile it to
# LOAD_SUPER_ATTR. Strict mode must refuse it by name, and the default wrapper must give the
# interpreter's answers.
MIN_VERSION = (3, 0)
NOT_COMPILED = 'super()'


class Base(object):
    def m(self, v):
        return ('Base', v)

    def __repr__(self):
        return type(self).__name__ + '()'


class Child(Base):
    def m(self, v):
        return super().m(v + 1)


child_m = Child.m


CASES = [
    ('child_m', (Child(), 1), {}),
    ('child_m', (Child(), 'x'), {}),
]
