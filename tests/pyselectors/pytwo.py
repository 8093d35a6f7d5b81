"""Two unrelated TPySelector classes: TPySelector cannot tell which one to run."""
from ROOT import TPySelector


class First(TPySelector):
    pass


class Second(TPySelector):
    pass
