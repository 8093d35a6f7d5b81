"""Query planning: what a query runs over and how it is cut.

Selectors and the code shipped for them, data sets (chains, TDSets, file collections, named data
sets, object TDSets), query options and PROOF's own parameters, file checks, entry counts, the
packetizers and data locality, input data and feedback settings. Mostly pure logic; uses only
`util`.
"""
