# momentum-rosenbrock-loss.gp: f over the Rosenbrock runs, log scale (ch. 3).
set logscale y
set format y "10^{%L}"
set xlabel "step k"
set ylabel "f(x_k, y_k)"
plot datadir."/rosenbrock-gd.dat" using 1:4 with lines ls 1 title "gradient descent", \
     datadir."/rosenbrock-ema.dat" using 1:4 with lines ls 2 title "EMA momentum, beta 0.9", \
     datadir."/rosenbrock-nesterov.dat" using 1:4 with lines ls 3 title "Nesterov, beta 0.9"
