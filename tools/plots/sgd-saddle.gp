# sgd-saddle.gp: chapter 2 -- f = x^2 - y^2 + y^4/2 with gradient descent
# from (1, 0), plain (stuck on the ridge y = 0) and with gradient noise
# (seeds 1 to 10): the paths (left) and f along them (right).
# Data: examples/sgd.c.
set multiplot layout 1,2
set view map
set contour base
set cntrparam levels discrete -0.45, -0.3, -0.15, 0, 0.25, 0.5, 1, 1.5
unset surface
set table $contours
splot datadir."/saddle-grid.dat" using 1:2:3 with lines
unset table
set size ratio -1
set xrange [-1.2:1.2]
set yrange [-1.5:1.5]
set xtics 0.5
set xlabel "x"
set ylabel "y"
unset key
plot $contours using 1:2 with lines ls 8, \
     datadir."/saddle-noisy.dat" using 2:3 with lines ls 2 lw 0.9, \
     datadir."/saddle-gd.dat" using 2:3 with points ls 1 pt 7 ps 0.3, \
     "-" using 1:2 with points pt 2 ps 1.2 lc rgb "black", \
     "-" using 1:2 with points pt 6 ps 1.2 lc rgb "black"
0 0
e
0 1
0 -1
e
set size noratio
set autoscale
set xrange [0:100]
set yrange [-0.6:1.1]
set xtics auto
set xlabel "step"
set ylabel "f(x_k)"
set key top right
plot datadir."/saddle-noisy.dat" using 1:4 with lines ls 2 lw 0.9 \
         title "with noise, sigma = 0.01, 10 seeds", \
     datadir."/saddle-gd.dat" using 1:4 with linespoints ls 1 pt 7 ps 0.3 \
         title "plain GD (stops: gradient < 10^{-6})"
unset multiplot
