# sgd-loss.gp: chapter 2 -- excess loss L(w) - L(w*) of batch, mini-batch
# and stochastic gradient descent, against epochs (left) and against steps,
# one gradient evaluation each (right). Data: examples/sgd.c.
# One key for both panels, in a strip of its own above them, so that it
# covers no data: a third, empty plot that draws only its key.
set encoding utf8
set multiplot
# The key strip: the three series as empty plots (NaN), no axes.
set origin 0, 0.88
set size 1, 0.12
set margins 0, 0, 0, 0
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set key center center horizontal maxcols 3 maxrows 1 Left reverse samplen 2 width 1 nobox noopaque
plot NaN with linespoints ls 1 pt 7 ps 0.35 title "batch, b = 200", \
     NaN with lines ls 2 title "mini-batch, b = 16", \
     NaN with lines ls 3 dt solid lw 0.8 title "SGD, b = 1"
unset key
unset margins
set border 3 lw 0.8
set xtics nomirror out scale 0.6
set ytics nomirror out scale 0.6
set grid
set logscale y
set format y "10^{%L}"
set yrange [1e-6:10]
set ylabel "L(w) - L(w^*)"
# Left: against epochs.
set origin 0, 0
set size 0.5, 0.9
set xlabel "epochs"
set xrange [0:20]
plot datadir."/loss-batch.dat" using 1:3 with linespoints ls 1 pt 7 ps 0.35, \
     datadir."/loss-minibatch.dat" using 1:3 with lines ls 2, \
     datadir."/loss-sgd.dat" using 1:3 with lines ls 3 dt solid lw 0.8
# Right: against steps (gradient evaluations), on a log scale.
set origin 0.5, 0
set xlabel "steps"
set logscale x
set format x "10^{%L}"
set xrange [1:4000]
plot datadir."/loss-batch.dat" using 2:3 with linespoints ls 1 pt 7 ps 0.35, \
     datadir."/loss-minibatch.dat" using 2:3 with lines ls 2, \
     datadir."/loss-sgd.dat" using 2:3 with lines ls 3 dt solid lw 0.8
unset multiplot
