"""The PROOF face: what legacy code calls.

The patches installed into ROOT (TProof's C++ hooks, TChain.Process/SetProof, gROOT.Macro), the
sessions behind TProof objects, one query as PROOF's player ran it on the client (Begin, the run,
the merge, Terminate), Draw, macro rewriting, packages and output files as the client sees them,
progress and performance records, and the registry of the TProof methods served in Python (with
what is said of the API proofshim does not carry out).
Uses `plan`, `cluster`, `worker` and `util`; nothing below imports it.
"""
