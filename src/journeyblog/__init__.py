"""journeyblog: a static site generator for multi-part blog series.

The build is one pipeline (see build.py): config -> sources -> site model -> pages and feeds
-> audit -> one atomic write.
"""

__version__ = "0.1.0"
