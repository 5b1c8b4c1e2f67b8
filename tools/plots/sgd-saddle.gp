# sgd-saddle.gp: chapter 2 -- f = x^2 - y^2 + y^4/2 with gradient descent
# from (1, 0), plain (stuck on the ridge y = 0) and with gradient noise
# (seeds 1 to 10): the paths (left) and f along them (right).
# Data: examples/sgd.c. One key for both panels, in a strip of its own above
# them, so that it covers no data: a third, empty plot that draws only its key.
# The two panels share the width equally.
set encoding utf8
set view map
set contour base
set cntrparam levels discrete -0.45, -0.3, -0.15, 0, 0.25, 0.5, 1, 1.5
unset surface
set table $contours
splot datadir."/saddle-grid.dat" using 1:2:3 with lines
unset table
eval figure_size(5.5, 3.3)
set output outfile
set multiplot
# The key strip: every series of the two panels as an empty plot (NaN).
set lmargin at screen 0.02
set rmargin at screen 0.98
set tmargin at screen 0.99
set bmargin at screen 0.90
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set key center center horizontal maxcols 5 maxrows 1 Left reverse samplen 2 width -2 nobox noopaque
plot NaN with linespoints ls 1 pt 7 ps 0.3 title "plain GD", \
     NaN with lines ls 2 lw 0.9 title "noisy GD", \
     NaN with lines ls 8 dt solid lw 0.8 title "contours of f", \
     NaN with points pt 2 ps 1.2 lc rgb "black" title "saddle", \
     NaN with points pt 6 ps 1.2 lc rgb "black" title "minima"
unset key
set border 3 lw 0.8
set xtics nomirror out scale 0.6
set ytics nomirror out scale 0.6
set grid
set tmargin at screen 0.84
set bmargin at screen 0.21
# Left: the paths over the contours of f (the axes are not to scale).
set lmargin at screen 0.09
set rmargin at screen 0.46
set xrange [-1.2:1.2]
set yrange [-1.5:1.5]
set xtics 1
set ytics 1
set xlabel "x" offset 0, 0.4
set ylabel "y" offset 1, 0
plot $contours using 1:2 with lines ls 8 dt solid lw 0.8, \
     datadir."/saddle-noisy.dat" using 2:3 with lines ls 2 lw 0.9, \
     datadir."/saddle-gd.dat" using 2:3 with points ls 1 pt 7 ps 0.3, \
     "-" using 1:2 with points pt 2 ps 1.2 lc rgb "black", \
     "-" using 1:2 with points pt 6 ps 1.2 lc rgb "black"
0 0
e
0 1
0 -1
e
# Right: f along the same runs.
set lmargin at screen 0.60
set rmargin at screen 0.96
set xrange [0:100]
set yrange [-0.6:1.1]
set xtics auto
set ytics auto
set xlabel "step k"
set ylabel "f(x_k)" offset 1, 0
plot datadir."/saddle-noisy.dat" using 1:4 with lines ls 2 lw 0.9, \
     datadir."/saddle-gd.dat" using 1:4 with linespoints ls 1 pt 7 ps 0.3
unset multiplot
