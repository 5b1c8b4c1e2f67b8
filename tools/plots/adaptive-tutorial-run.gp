# adaptive-tutorial-run.gp: theta_t on (theta-3)^2 for Adam at two learning
# rates and for chapter 1's gradient descent (chapter 4).
set encoding utf8
set xlabel "step t"
set ylabel "θ_t"
set xrange [0:300]
set yrange [0:3.5]
# the key sits in a band of its own above the plot, where it covers no data
set key tmargin center horizontal maxcols 3 width -5 noopaque nobox
plot datadir."/tutorial-run.dat" using 1:2 with lines ls 1 title "Adam, η = 0.01", \
     "" using 1:3 with lines ls 2 title "Adam, η = 0.1", \
     "" using 1:4 with lines ls 3 title "GD, η = 0.1 (chapter 1)", \
     "" using 1:($1 * 0.01) with lines ls 8 title "0.01 t", \
     3 with lines lc rgb "#000000" lw 0.8 dt 3 title "minimum θ = 3"
