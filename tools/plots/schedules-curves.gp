# schedules-curves.gp: chapter 5, every schedule's learning rate over the
# 1000 steps of the experiment, lr0 = 0.01 (data: the demo's curves.dat).
set multiplot layout 1,2
set xlabel "step t"
set ylabel "learning rate"
set xrange [0:1000]
set yrange [0:0.0105]
set format y "%.3f"
set key top right font ",7"
set title "decays" font ",9"
plot datadir."/curves.dat" using 1:2 with lines ls 7 dt 3 title "constant", \
     "" using 1:3 with lines ls 1 title "step", \
     "" using 1:4 with lines ls 2 title "multi-step", \
     "" using 1:5 with lines ls 3 title "exponential", \
     "" using 1:6 with lines ls 4 title "inverse time", \
     "" using 1:7 with lines ls 5 title "cosine"
set title "warm-up, and reduce on plateau" font ",9"
unset ylabel
plot datadir."/curves.dat" using 1:8 with lines ls 1 title "warm-up", \
     "" using 1:9 with lines ls 2 title "warm-up + cosine", \
     "" using 1:10 with lines ls 3 title "plateau (one run)"
unset multiplot
