# capstone-loss.gp: chapter 8, training cross-entropy after each epoch for
# the three runs of capstone-accuracy.gp, on a log scale (data: curves.dat).
set logscale y
set xlabel "epoch"
set ylabel "training cross-entropy"
set xrange [0:30]
set yrange [0.03:3]
set key top right
f = datadir."/curves.dat"
plot f using 1:2 with lines ls 1 title "SGD, lr 1", \
     f using 1:4 with lines ls 2 title "momentum 0.9, lr 0.1", \
     f using 1:6 with lines ls 3 title "Adam, lr 0.1"
