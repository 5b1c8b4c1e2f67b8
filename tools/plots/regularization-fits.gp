# regularization-fits.gp: chapter 7, the 12 training points, sin(2 pi x),
# and the degree-9 polynomials that each method ends with (data: fits.dat
# and points.dat from the demo). The key runs in three columns above the
# plot, where it covers no curve.
set encoding utf8
set xlabel "x"
set ylabel "y"
set xrange [0:1]
set yrange [-2:2]
set key above horizontal maxcols 3 Left reverse width 0 samplen 2.5 nobox
f = datadir."/fits.dat"
plot f using 1:2 with lines ls 8 title "sin(2πx)", \
     f using 1:3 with lines ls 1 title "none", \
     f using 1:4 with lines ls 2 title "L2, λ = 0.1", \
     f using 1:5 with lines ls 3 title "L1, λ = 0.03", \
     f using 1:6 with lines ls 4 title "early stopping", \
     datadir."/points.dat" using 1:2 with points pt 7 ps 0.6 lc rgb "#000000" \
         title "training points"
