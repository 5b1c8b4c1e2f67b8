# momentum-tuned.gp: distance to the minimum, tuned GD against the tuned
# heavy ball on f = (x^2 + 100 y^2)/2, with the formulas (chapter 3). The
# measurements are solid lines, each formula is drawn over its measurement
# as points, so that both stay visible. Colours as in every figure of
# chapter 3: GD blue, heavy ball vermilion.
set encoding utf8
set logscale y
set format y "10^{%L}"
set xrange [0:750]
set yrange [1e-8:100]
set xlabel "step k"
set ylabel "‖x_k − x^*‖ / ‖x_0 − x^*‖"
# the key sits above the plot, in three columns, where it covers no data
set key tmargin center horizontal maxcols 3 Left reverse width 0 samplen 2.5 noopaque nobox
plot datadir."/tuned.dat" using 1:2 with lines ls 1 lw 2.5 title "GD, η = 2/(μ + L)", \
     "" using 1:3 every 30 with points pt 6 ps 0.6 lc rgb "#000000" title "((κ − 1)/(κ + 1))^k", \
     "" using 1:4 with lines ls 2 lw 2.5 title "tuned heavy ball", \
     "" using 1:5 every 10 with points pt 4 ps 0.5 lc rgb "#000000" title "exact formula", \
     "" using 1:6 with lines ls 8 title "((√κ − 1)/(√κ + 1))^k", \
     1e-6 with lines lc rgb "#000000" lw 1 dt (1, 2) title "10^{-6}"
