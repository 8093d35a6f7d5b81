"""Plain utilities every layer uses: errors, settings, the patch journal, ROOT and proofshim's C++
library in this process, ROOT-style messages, session and sandbox directories, the view of the
ROOT installation that legacy code expects, C++ source text. Imports nothing else of proofshim.
"""
