# regularization-curves.gp: chapter 7, training (dashed) and validation
# (solid) MSE over the steps of the overfitting experiment, for plain GD,
# L2, L1 (proximal) and early stopping (data: curves.dat from the demo).
# The key gives each method its colour, then the two line styles.
set encoding utf8
set logscale xy
set xlabel "gradient step"
set ylabel "mean squared error"
set format xy "10^{%L}"
set xrange [100:100000]
set yrange [0.01:10]
set key top left
set label 1 "noise variance 0.04" at 90000, 0.0325 right font ",8" \
    tc rgb "#555555"
f = datadir."/curves.dat"
plot 0.04 notitle ls 8, \
     f using 1:3 with lines ls 1 title "none", \
     f using 1:2 with lines ls 1 dt 2 notitle, \
     f using 1:5 with lines ls 2 title "L2, λ = 0.1", \
     f using 1:4 with lines ls 2 dt 2 notitle, \
     f using 1:7 with lines ls 3 title "L1 prox, λ = 0.03", \
     f using 1:6 with lines ls 3 dt 2 notitle, \
     f using 1:9 with lines ls 4 lw 3 title "early stopping", \
     NaN with lines lc rgb "#000000" lw 1.2 title "validation (solid)", \
     NaN with lines lc rgb "#000000" lw 1.2 dt 2 title "training (dashed)"
