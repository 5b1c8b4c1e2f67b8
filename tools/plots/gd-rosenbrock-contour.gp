# gd-rosenbrock-contour.gp: GD's path on the Rosenbrock function (chapter 1).
load "tools/plots/rosenbrock-contours.gnuplot"
set xrange [-2:2]
set yrange [-2:3]
set xlabel "x"
set ylabel "y"
# the key stands to the right of the plot, where it hides no contour
set key outside right center Left reverse width 1 samplen 2.5 nobox
plot $contours using 1:2 with lines lc rgb "#bbbbbb" lw 0.7 title "contours of f", \
     datadir."/rosenbrock-gd.dat" using 2:3 with lines ls 1 lw 2 title "gradient descent", \
     "+" using (-1.5):(-1.5) every ::0::0 with points pt 7 ps 0.8 lc rgb "#009E73" title "start", \
     "+" using (1):(1) every ::0::0 with points pt 3 ps 1.2 lc rgb "#000000" title "minimum (1, 1)"
