# adaptive-compare.gp: f over the steps on Rosenbrock from (-1.5, -1.5) for
# every method of chapters 1-4, each at its best learning rate (chapter 4).
# Columns of compare.dat: step, GD, EMA momentum, heavy ball, Nesterov,
# Adagrad, RMSprop, Adam, AMSGrad, Adadelta. EMA momentum at 10x the rate
# follows the heavy ball's path exactly, so it is not drawn.
set logscale xy
set format y "10^{%L}"
set xrange [1:20000]
set yrange [1e-16:1e4]
set xlabel "step k (log scale)"
set ylabel "f(x_k, y_k)"
# the key sits bottom left, where no run has got yet
set key bottom left maxrows 5
set style data lines
set style line 11 lc rgb "#000000" lw 1.4
set style line 12 lc rgb "#999999" lw 1.4 dt 2
f(y) = y > 0 ? y : NaN
plot datadir."/compare.dat" using ($1+1):(f($2)) with lines ls 11 title "GD", \
     "" using ($1+1):(f($4)) with lines ls 1 title "heavy ball", \
     "" using ($1+1):(f($5)) with lines ls 6 title "Nesterov", \
     "" using ($1+1):(f($6)) with lines ls 3 title "Adagrad", \
     "" using ($1+1):(f($7)) with lines ls 5 title "RMSprop", \
     "" using ($1+1):(f($8)) with lines ls 2 lw 0.8 title "Adam", \
     "" using ($1+1):(f($9)) with lines ls 4 title "AMSGrad", \
     "" using ($1+1):(f($10)) with lines ls 12 title "Adadelta", \
     1e-6 with lines lc rgb "#000000" lw 0.6 dt 3 title "f = 10^{-6}"
