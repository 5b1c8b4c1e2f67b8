# momentum-rosenbrock.gp: GD and EMA momentum on Rosenbrock (chapter 3).
load "tools/plots/rosenbrock-contours.gnuplot"
set size ratio -1
set xrange [-2:2]
set yrange [-2:3]
set xlabel "x"
set ylabel "y"
set key outside right top
plot $contours using 1:2 with lines lc rgb "#bbbbbb" lw 0.7 notitle, \
     datadir."/rosenbrock-gd.dat" using 2:3 with lines ls 1 lw 2 title "gradient descent", \
     datadir."/rosenbrock-ema.dat" using 2:3 with lines ls 2 lw 2 title "EMA momentum, beta 0.9", \
     datadir."/rosenbrock-nesterov.dat" using 2:3 with lines ls 3 lw 2 dt 2 title "Nesterov, beta 0.9", \
     "+" using (-1.5):(-1.5) every ::0::0 with points pt 7 ps 0.8 lc rgb "#000000" title "start", \
     "+" using (1):(1) every ::0::0 with points pt 3 ps 1.2 lc rgb "#000000" title "minimum (1, 1)"
