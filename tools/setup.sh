#!/bin/sh
# setup.sh: makes sure the tools a target needs are here, installing the
# missing ones with apt-get when it can (root, or sudo without a password),
# and otherwise printing the one command to run.
#
#   sh tools/setup.sh grade|book|html|coverage|all [--quiet]
#
# grade:    a C compiler, make, Python 3, Criterion
# book:     pandoc, pdflatex (TeX Live), gnuplot, KaTeX's fonts
# html:     pandoc, gnuplot, KaTeX (script, style sheet and fonts)
# coverage: gcovr
# all:      everything above, and Chromium, which tests the web edition
#           (what `make test` and CI need)
set -u
what=${1:-grade}
quiet=${2:-}

missing=""
need() { # need COMMAND-TEST PACKAGES...
    test_cmd=$1; shift
    if ! sh -c "$test_cmd" >/dev/null 2>&1; then
        missing="$missing $*"
    fi
}

have_criterion='printf "#include <criterion/criterion.h>\nint main(void){return 0;}\n" \
  | ${CC:-cc} -x c - -o /tmp/.criterion-probe.$$ -lcriterion && rm -f /tmp/.criterion-probe.$$'

check_grade() {
    need 'command -v cc || command -v gcc' gcc libc6-dev
    need 'command -v make' make
    need 'command -v python3' python3
    need "$have_criterion" libcriterion-dev
}
check_book() {
    need 'command -v pandoc' pandoc
    need 'command -v pdflatex && kpsewhich lmodern.sty && kpsewhich fvextra.sty' \
        texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended lmodern
    need 'command -v gnuplot' gnuplot-nox
    # the figures' Greek letters (tools/plots/fonts.conf)
    need 'test -f /usr/share/fonts/truetype/katex/KaTeX_Math-Italic.ttf' fonts-katex
}
check_html() {
    need 'command -v pandoc' pandoc
    need 'command -v gnuplot' gnuplot-nox
    need 'test -f /usr/share/javascript/katex/katex.min.js' libjs-katex
    need 'test -f /usr/share/fonts/truetype/katex/KaTeX_Math-Italic.ttf' fonts-katex
}
check_coverage() {
    need 'command -v gcovr' gcovr
}

case $what in
    grade) check_grade ;;
    book) check_book ;;
    html) check_html ;;
    coverage) check_grade; check_coverage ;;
    all) check_grade; check_book; check_html; check_coverage
         need 'command -v pdftoppm' poppler-utils
         need 'command -v chromium' chromium
         # grading others' code without root: a private view for each compile
         need 'command -v bwrap' bubblewrap ;;
    *) echo "setup.sh: unknown part '$what' (grade, book, html, coverage or all)" >&2; exit 2 ;;
esac

# Each package once, in a stable order.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ' | sed 's/ *$//')
if [ -z "$missing" ]; then
    [ "$quiet" = "--quiet" ] || echo "setup: everything needed for '$what' is installed"
    exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "setup: missing $missing; install them with: sudo apt-get install -y $missing" >&2
        exit 1
    fi
    echo "setup: installing $missing (apt-get) ..."
    export DEBIAN_FRONTEND=noninteractive
    if $sudo apt-get update -qq >/dev/null &&
       $sudo apt-get install -y -qq --no-install-recommends $missing >/tmp/course-apt.log 2>&1; then
        echo "setup: installed $missing"
        exit 0
    fi
    echo "setup: apt-get could not install $missing; see /tmp/course-apt.log" >&2
    exit 1
fi
if command -v brew >/dev/null 2>&1; then
    echo "setup: missing $missing; on macOS: brew install criterion python pandoc gnuplot gcovr (and MacTeX for the book)" >&2
    exit 1
fi
echo "setup: missing $missing (Debian package names); install them with your package manager" >&2
exit 1
