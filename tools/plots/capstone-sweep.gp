# capstone-sweep.gp: chapter 8, training cross-entropy after 30 epochs
# against the initial learning rate of the cosine schedule, for the three
# optimizers (data: sweep.dat, columns lr0, then train_loss val_acc each).
set logscale xy
set format x "10^{%L}"
set xlabel "initial learning rate lr0 (cosine schedule, 30 epochs)"
set ylabel "final training cross-entropy"
set xrange [5e-4:20]
set key top right Left reverse width 1
f = datadir."/sweep.dat"
plot f using 1:2 with linespoints ls 1 pt 7 ps 0.6 title "SGD", \
     f using 1:4 with linespoints ls 2 pt 5 ps 0.6 title "momentum 0.9", \
     f using 1:6 with linespoints ls 3 pt 9 ps 0.7 title "Adam"
