#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder's image (Ubuntu): the course's own setup script installs what
# grading needs (a C compiler, make, binutils, Python 3, Criterion, and
# bubblewrap, used when the image allows it) with apt-get.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends gcc libc6-dev make binutils python3 \
    libcriterion-dev bubblewrap
sh /autograder/source/course/tools/setup.sh grade
# the course's judges, drivers and reference, built once for every submission
python3 /autograder/source/run.py --prepare
