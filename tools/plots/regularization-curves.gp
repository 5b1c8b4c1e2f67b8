# regularization-curves.gp: chapter 7, training (dashed) and validation
# (solid) MSE over the steps of the overfitting experiment, for plain GD,
# L2, L1 (proximal) and early stopping (data: curves.dat from the demo).
set logscale xy
set xlabel "gradient step"
set ylabel "mean squared error"
set format y "10^{%L}"
set xrange [100:100000]
set yrange [0.01:5]
set key top left
set label 1 "noise variance 0.04" at 150, 0.034 font ",8" tc rgb "#555555"
f = datadir."/curves.dat"
plot 0.04 notitle ls 8, \
     f using 1:3 with lines ls 1 title "none, validation", \
     f using 1:2 with lines ls 1 dt 2 title "none, training", \
     f using 1:5 with lines ls 2 title "L2 0.1, validation", \
     f using 1:4 with lines ls 2 dt 2 title "L2 0.1, training", \
     f using 1:7 with lines ls 3 title "L1 0.03, validation", \
     f using 1:6 with lines ls 3 dt 2 title "L1 0.03, training", \
     f using 1:9 with lines ls 4 lw 3 title "early stopping, validation"
