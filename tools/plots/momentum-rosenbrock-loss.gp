# momentum-rosenbrock-loss.gp: f over the Rosenbrock runs, log scale (ch. 3).
# Colours as in every figure of chapter 3: GD blue, EMA purple, heavy ball
# vermilion, Nesterov green.
set encoding utf8
set logscale y
set format y "10^{%L}"
set xlabel "step k"
set ylabel "f(x_k, y_k)"
plot datadir."/rosenbrock-gd.dat" using 1:4 with lines ls 1 title "gradient descent, η = 10^{-4}", \
     datadir."/rosenbrock-ema.dat" using 1:4 with lines ls 4 title "EMA momentum, η = 10^{-4}, β = 0.9", \
     datadir."/rosenbrock-nesterov.dat" using 1:4 with lines ls 3 title "Nesterov, η = 10^{-4}, β = 0.9"
