# losses-margin.gp: chapter 6 -- the binary losses (left) and their
# derivatives (right) against the margin m = y s. Data: margin.dat from
# examples/losses.c (columns: m, 0-1, logistic/ln2, hinge, squared, then
# d/dm of logistic/ln2, hinge, squared).
set multiplot layout 1,2
set xlabel "margin m = y s"
set xrange [-2:3]
set xtics 1

set ylabel "loss"
set yrange [0:4]
set key top center
plot datadir."/margin.dat" using 1:2 with lines ls 7 title "0-1", \
     "" using 1:3 with lines ls 1 title "logistic / ln 2", \
     "" using 1:4 with lines ls 2 title "hinge", \
     "" using 1:5 with lines ls 3 title "squared"

set ylabel "dL/dm"
set yrange [-3:3]
set key bottom right
plot datadir."/margin.dat" using 1:6 with lines ls 1 title "logistic / ln 2", \
     "" using 1:7 with lines ls 2 title "hinge", \
     "" using 1:8 with lines ls 3 title "squared", \
     0 with lines ls 8 notitle
unset multiplot
