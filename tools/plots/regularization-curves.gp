# regularization-curves.gp: chapter 7, training (dashed) and validation
# (solid) MSE over the steps of the overfitting experiment, for plain GD,
# L2, L1 (proximal) and early stopping (data: curves.dat from the demo).
# The key, above the plot where it covers no curve, gives each method its
# colour, then the two line styles and the noise level.
eval figure_size(5.5, 3.4)
set output outfile
set logscale xy
set xlabel "gradient step"
set ylabel "mean squared error"
set format xy "10^{%L}"
set xrange [100:100000]
set yrange [0.01:10]
set key tmargin center horizontal maxcols 3 maxrows 3 Left reverse width -1 samplen 2 noopaque nobox
f = datadir."/curves.dat"
val = "dt solid"; train = "dt (4, 3)"
plot f using 1:3 with lines ls 1 @val title "none", \
     f using 1:2 with lines ls 1 @train notitle, \
     f using 1:5 with lines ls 2 @val title "L2, λ = 0.1", \
     f using 1:4 with lines ls 2 @train notitle, \
     f using 1:7 with lines ls 3 @val title "L1 prox, λ = 0.03", \
     f using 1:6 with lines ls 3 @train notitle, \
     f using 1:9 with lines ls 4 lw 3 @val title "early stopping", \
     NaN with lines lc rgb "#000000" lw 1.2 @val title "validation", \
     NaN with lines lc rgb "#000000" lw 1.2 @train title "training", \
     0.04 with lines lc rgb "#999999" lw 1 dt (1, 2) title "noise variance 0.04"
