# gd-rosenbrock-loss.gp: f over GD's iterations on Rosenbrock, log scale (ch. 1).
set encoding utf8
set logscale y
set format y "10^{%L}"
set xlabel "step k"
set ylabel "f(x_k, y_k)"
set key width 1
plot datadir."/rosenbrock-gd.dat" using 1:4 with lines ls 1 title "gradient descent, η = 10^{-4}"
