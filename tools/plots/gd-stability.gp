# gd-stability.gp: theta_t on (theta-3)^2 for five learning rates (chapter 1).
set encoding utf8
set xlabel "step t"
set ylabel "θ_t"
set xrange [0:20]
set yrange [-6:12]
# The key goes above the plot, in two rows of three: inside it would cover
# the oscillations, and to the right it would leave a narrow plot. gnuplot
# fills its columns first, hence the order of the series below.
set key outside top center horizontal maxrows 2 Left reverse samplen 1.5 width 2
plot datadir."/stability.dat" \
        using 1:2 with linespoints ls 1 pt 7 ps 0.35 title "η = 0.1", \
     "" using 1:5 with linespoints ls 4 pt 7 ps 0.35 title "η = 1.0", \
     "" using 1:3 with linespoints ls 2 pt 7 ps 0.35 title "η = 0.5", \
     "" using 1:6 with linespoints ls 5 pt 7 ps 0.35 title "η = 1.1", \
     "" using 1:4 with linespoints ls 3 pt 7 ps 0.35 title "η = 0.9", \
     3 with lines ls 8 title "minimum"
