# gd-stability.gp: theta_t on (theta-3)^2 for five learning rates (chapter 1).
set xlabel "step t"
set ylabel "theta_t"
set yrange [-6:12]
set key outside right top
plot datadir."/stability.dat" using 1:2 with linespoints pt 7 ps 0.35 title "lr 0.1", \
     "" using 1:3 with linespoints pt 7 ps 0.35 title "lr 0.5", \
     "" using 1:4 with linespoints pt 7 ps 0.35 title "lr 0.9", \
     "" using 1:5 with linespoints pt 7 ps 0.35 title "lr 1.0", \
     "" using 1:6 with linespoints pt 7 ps 0.35 title "lr 1.1", \
     3 with lines ls 8 title "minimum"
