# capstone-accuracy.gp: chapter 8, validation accuracy after each epoch for
# SGD, heavy-ball momentum and Adam, each with a cosine schedule (data:
# curves.dat, columns epoch, then train_loss val_acc per optimizer). The
# plot starts at epoch 1: epoch 0, the untrained model at 0.0975, would
# squash every later point into the top tenth of the axis.
set xlabel "epoch"
set ylabel "validation accuracy"
set xrange [0.5:30.5]
set xtics (1, 5, 10, 15, 20, 25, 30)
set yrange [0.90:0.985]
set ytics 0.01
set key bottom right Left reverse width 1
f = datadir."/curves.dat"
plot f every ::1 using 1:3 with linespoints ls 1 pt 7 ps 0.4 \
       title "SGD, lr 1", \
     f every ::1 using 1:5 with linespoints ls 2 pt 5 ps 0.4 \
       title "momentum 0.9, lr 0.1", \
     f every ::1 using 1:7 with linespoints ls 3 pt 9 ps 0.5 \
       title "Adam, lr 0.1", \
     0.95 with lines ls 8 title "0.95"
