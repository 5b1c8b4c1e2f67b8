# adaptive-compare.gp: f over the steps on Rosenbrock from (-1.5, -1.5) for
# every method of chapters 1-4, each at its best learning rate (chapter 4).
# Columns of compare.dat: step, GD, EMA momentum, heavy ball, Nesterov,
# Adagrad, RMSprop, Adam, AMSGrad, Adadelta. EMA momentum at 10x the rate
# follows the heavy ball's path exactly, so it is not drawn.
# Two panels on one y axis, so that no two curves of a panel look alike:
# gradient descent and momentum (chapter 3's colours), then the adaptive
# methods with gradient descent again, in grey, for reference. The y axis reaches
# down to 1e-30, where the runs that converge bottom out (machine
# precision), so that Adam's departure at step 2165 is seen whole.
eval figure_size(5.5, 3.6)
set output outfile
set multiplot
set logscale xy
set xrange [1:20000]
set xtics ("1" 1, "10" 10, "100" 100, "10^3" 1000, "10^4" 10000)
set yrange [1e-30:1e5]
set ytics 1e-30, 1e5, 1e5
set format y "10^{%L}"
unset mytics
set xlabel "step k (log scale)" offset 0, 0.3
set tmargin at screen 0.92
set bmargin at screen 0.40
set key noopaque nobox vertical maxrows 3 Left reverse left top width 1 samplen 3
f(y) = y > 0 ? y : NaN
set title "gradient descent and momentum" offset 0, -0.6
set ylabel "f(x_k, y_k)" offset 0.8, 0
set lmargin at screen 0.12
set rmargin at screen 0.53
set key at screen 0.06, screen 0.215
plot datadir."/compare.dat" using ($1+1):(f($2)) with lines ls 1 title "GD", \
     "" using ($1+1):(f($4)) with lines ls 2 title "heavy ball", \
     "" using ($1+1):(f($5)) with lines ls 3 title "Nesterov", \
     1e-6 with lines lc rgb "#000000" lw 1 dt (1, 2) title "f = 10^{-6}"
set title "adaptive methods" offset 0, -0.6
unset ylabel
set format y ""
set lmargin at screen 0.57
set rmargin at screen 0.98
set key at screen 0.52, screen 0.215 maxrows 3
set label 1 "Adam leaves\nat step 2165" at 600, 1e-20 right font ",8"
set arrow 1 from 650, 1e-20 to 1950, 1e-20 size screen 0.01, 20 lw 0.7
plot datadir."/compare.dat" using ($1+1):(f($2)) with lines lc rgb "#aaaaaa" lw 1.2 title "GD", \
     "" using ($1+1):(f($8)) with lines ls 7 title "Adam", \
     "" using ($1+1):(f($7)) with lines ls 5 title "RMSprop", \
     "" using ($1+1):(f($9)) with lines ls 4 title "AMSGrad", \
     "" using ($1+1):(f($6)) with lines ls 6 title "Adagrad", \
     "" using ($1+1):(f($10)) with lines ls 2 title "Adadelta", \
     1e-6 with lines lc rgb "#000000" lw 1 dt (1, 2) notitle
unset multiplot
