# momentum-bowl-loss.gp: f over the runs on f = 0.1 x^2 + 2 y^2 (chapter 3).
# Colours as in every figure of chapter 3: GD blue, EMA purple, heavy ball
# vermilion, Nesterov green.
set logscale y
set format y "10^{%L}"
set xlabel "step k"
set ylabel "f(x_k, y_k)"
set key bottom left
plot datadir."/bowl-f.dat" using 1:2 with lines ls 1 title "GD", \
     datadir."/bowl-f.dat" using 1:3 with lines ls 4 title "EMA", \
     datadir."/bowl-f.dat" using 1:4 with lines ls 2 title "heavy ball", \
     datadir."/bowl-f.dat" using 1:5 with lines ls 3 title "Nesterov"
