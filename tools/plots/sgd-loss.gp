# sgd-loss.gp: chapter 2 -- excess loss L(w) - L(w*) of batch, mini-batch
# and stochastic gradient descent, against epochs (left) and against steps,
# one gradient evaluation each (right). Data: examples/sgd.c.
set multiplot layout 1,2
set logscale y
set format y "10^{%L}"
set yrange [1e-6:10]
set ylabel "L(w) - L(w*)"
set key top right
set xlabel "epochs (passes over the data)"
set xrange [0:20]
plot datadir."/loss-batch.dat" using 1:3 with linespoints pt 7 ps 0.35 \
         title "batch, B = 200, lr = 1", \
     datadir."/loss-minibatch.dat" using 1:3 with lines \
         title "mini-batch, B = 16, lr = 0.15", \
     datadir."/loss-sgd.dat" using 1:3 with lines lw 0.8 \
         title "SGD, B = 1, lr = 0.02"
set xlabel "steps (gradient evaluations)"
set logscale x
set format x "10^{%L}"
set xrange [1:4000]
set ylabel ""
unset key
plot datadir."/loss-batch.dat" using 2:3 with linespoints pt 7 ps 0.35, \
     datadir."/loss-minibatch.dat" using 2:3 with lines, \
     datadir."/loss-sgd.dat" using 2:3 with lines lw 0.8
unset multiplot
