# losses-saturation.gp: chapter 6 -- label 1, logit z: the size of dL/dz for
# cross-entropy from the logit and for the squared error of sigmoid(z).
# Data: saturation.dat from examples/losses.c (z, |dL/dz| xent, |dL/dz| mse).
set encoding utf8
set xlabel "logit z (the label is 1: z < 0 is wrong)"
set ylabel "|dL/dz|"
set logscale y
set format y "10^{%T}"
set xrange [-12:4]
set yrange [1e-7:3]
# bottom right lies below both curves: the key covers nothing there
set key bottom right width -6
plot datadir."/saturation.dat" using 1:2 with lines ls 1 \
         title "cross-entropy: 1 - σ(z)", \
     "" using 1:3 with lines ls 2 \
         title "squared error of p = σ(z): 2 p (1 - p)^2"
