# momentum-rosenbrock.gp: GD, EMA momentum and Nesterov on Rosenbrock
# (chapter 3). Colours as in every figure of chapter 3: GD blue, EMA purple,
# heavy ball vermilion, Nesterov green.
set encoding utf8
# a little shorter than the house default, so that the next listing fits
# under it on the page
eval figure_size(5.5, 2.8)
set output outfile
load "tools/plots/rosenbrock-contours.gnuplot"
set xrange [-2:2]
set yrange [-2:3]
set xlabel "x"
set ylabel "y"
# the key stands to the right of the plot, where it hides no contour
set key outside right center Left reverse width 1 samplen 2.5 nobox
plot $contours using 1:2 with lines lc rgb "#bbbbbb" lw 0.7 notitle, \
     datadir."/rosenbrock-gd.dat" using 2:3 with lines ls 1 lw 2 title "GD", \
     datadir."/rosenbrock-ema.dat" using 2:3 with lines ls 4 lw 2 title "EMA momentum", \
     datadir."/rosenbrock-nesterov.dat" using 2:3 with lines ls 3 lw 2 title "Nesterov (10× step)", \
     "+" using (-1.5):(-1.5) every ::0::0 with points pt 7 ps 0.8 lc rgb "#000000" title "start", \
     "+" using (1):(1) every ::0::0 with points pt 3 ps 1.2 lc rgb "#000000" title "minimum (1, 1)"
