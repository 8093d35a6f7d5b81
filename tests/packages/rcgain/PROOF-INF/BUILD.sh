#!/bin/sh
# A PAR's BUILD.sh of the PROOF era: make, with root-config on PATH.
if test ! "x$ROOTPROOFLITE" = "x"; then
   echo "rcgain-BUILD: PROOF-Lite node (session has $ROOTPROOFLITE workers)"
elif test ! "x$ROOTPROOFCLIENT" = "x"; then
   echo "rcgain-BUILD: PROOF client"
else
   echo "rcgain-BUILD: standard PROOF node"
fi
echo "rcgain-BUILD: ROOTSYS=$ROOTSYS"
echo "rcgain-BUILD: incdir=`root-config --incdir` libdir=`root-config --libdir`"
test -d "`root-config --incdir`" || { echo "rcgain-BUILD: root-config --incdir does not exist"; exit 1; }
test -d "`root-config --libdir`" || { echo "rcgain-BUILD: root-config --libdir does not exist"; exit 1; }
test -f "$ROOTSYS/include/TObject.h" || { echo "rcgain-BUILD: no headers under \$ROOTSYS"; exit 1; }
make || exit 1
echo "rcgain-BUILD: done"
