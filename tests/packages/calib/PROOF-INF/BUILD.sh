#!/bin/sh
# Builds libCalibCore.so the way old PROOF packages did: a compiler and $ROOTINCLUDEPATH.
echo "calib-BUILD: building libCalibCore in package calib"
echo built >> PROOF-INF/build-runs.txt
g++ -shared -fPIC $ROOTINCLUDEPATH -o libCalibCore.so calibcore.cxx || exit 1
echo "calib-BUILD: done"
