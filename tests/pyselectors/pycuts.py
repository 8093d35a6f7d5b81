"""A helper module of the analysis directory: TPySelector modules import it, the workers have no
copy of it (it travels by value with the selector)."""
PX_MIN_DEFAULT = -100.0


def keep(px, cut):
    return px > cut
