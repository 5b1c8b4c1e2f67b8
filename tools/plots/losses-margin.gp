# losses-margin.gp: chapter 6 -- the binary losses (left) and their
# derivatives (right) against the margin m = y s. Data: margin.dat from
# examples/losses.c (columns: m, 0-1, logistic/ln2, hinge, squared, then
# d/dm of logistic/ln2, hinge, squared). The keys sit under the panels,
# where they cannot cover a curve; a derivative has the colour of its loss.
set multiplot
set xlabel "margin m = y s"
set xrange [-2:3]
set xtics 1
set tmargin at screen 0.95
set bmargin at screen 0.36
set key noopaque nobox vertical maxrows 2 Left reverse left top width -2 \
    samplen 2.5

set ylabel "loss" offset 0.5,0
set yrange [0:4]
set ytics 1
set lmargin at screen 0.12
set rmargin at screen 0.48
set key at screen 0.05, screen 0.14
plot datadir."/margin.dat" using 1:2 with lines ls 7 title "0-1", \
     "" using 1:3 with lines ls 1 title "logistic / ln 2", \
     "" using 1:4 with lines ls 2 title "hinge", \
     "" using 1:5 with lines ls 3 title "squared"

set ylabel "dL/dm" offset 0.5,0
set yrange [-3:3]
set lmargin at screen 0.62
set rmargin at screen 0.97
set key at screen 0.62, screen 0.14
plot datadir."/margin.dat" using 1:6 with lines ls 1 notitle, \
     "" using 1:7 with lines ls 2 notitle, \
     "" using 1:8 with lines ls 3 notitle, \
     0 with lines ls 8 title "dL/dm = 0: no pull"
unset multiplot
