# regularization-chain.gp: chapter 7, the norm of a gradient backpropagated
# through k random linear layers, for three weight scales, and the sigmoid
# bound 0.25^k (data: chain.dat from the demo).
set logscale y
set format y "10^{%L}"
set ytics 1e-30, 1e5
unset mytics
set xlabel "layers k"
set ylabel "||dL/dh_0||"
set xrange [0:50]
set yrange [1e-32:1e9]
set key bottom left
f = datadir."/chain.dat"
plot f using 1:4 with lines ls 2 title "scale 1.5", \
     f using 1:3 with lines ls 3 title "scale 1.0", \
     f using 1:2 with lines ls 1 title "scale 0.5", \
     f using 1:5 with lines ls 8 title "0.25^k (sigmoid)"
