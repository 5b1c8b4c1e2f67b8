# fast-roofline.gp: chapter 9 -- ns per parameter against the number of
# parameters, for Adam (left) and the softmax cross-entropy (right): the
# builds of the step, the unfused step, torch, and the probe that moves the
# same bytes. Drawn from data/fast-bench.tsv, which `make bench` writes on
# the machine it names (not from the demo: these are timings). The key is
# split under the two panels; a series has the same colour in both.
set encoding utf8
data = "data/fast-bench.tsv"
# rows n, kernel, variant, ns: one series at a time, in order of n
series(k, v) = sprintf("< awk -F'\t' '$2 == \"%s\" && $3 == \"%s\" { print $1, $4 }' %s", k, v, data)
set logscale xy
set format x "10^{%T}"
set format y "%g"
set xrange [7e3:7e7]
set yrange [0.05:20]
set multiplot
set tmargin at screen 0.92
set bmargin at screen 0.42
set key noopaque nobox vertical maxrows 3 Left reverse left top samplen 2.5

set title "Adam (float)" offset 0,-0.6
set xlabel "parameters n"
set ylabel "ns per parameter" offset 0.5,0
set lmargin at screen 0.13
set rmargin at screen 0.52
set key at screen 0.08, screen 0.21
plot series("adam", "O2") with linespoints ls 2 pt 7 ps 0.45 title "-O2", \
     series("adam", "tuned unfused") with linespoints ls 5 pt 7 ps 0.45 title "tuned, unfused", \
     series("adam", "torch") with linespoints ls 4 pt 7 ps 0.45 title "torch, 1 thread", \
     series("adam", "tuned") with linespoints ls 1 pt 7 ps 0.45 notitle, \
     series("probe", "adam float") with lines ls 8 notitle

set title "cross-entropy (float)" offset 0,-0.6
set xlabel "logits n (rows of 1000)"
unset ylabel
set lmargin at screen 0.61
set rmargin at screen 0.98
set key at screen 0.56, screen 0.21
plot series("xent", "O2") with linespoints ls 2 pt 7 ps 0.45 notitle, \
     series("xent", "tuned unfused") with linespoints ls 5 pt 7 ps 0.45 notitle, \
     series("xent", "torch") with linespoints ls 4 pt 7 ps 0.45 notitle, \
     series("xent", "tuned") with linespoints ls 1 pt 7 ps 0.45 title "tuned, fused", \
     series("probe", "xent float") with lines ls 8 title "probe, same bytes"
unset multiplot
