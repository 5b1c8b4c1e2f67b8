# momentum-bowl.gp: 100 steps of GD, heavy ball and Nesterov on
# f = 0.1 x^2 + 2 y^2 at the same learning rate (chapter 3). Colours as in
# every figure of chapter 3: GD blue, heavy ball vermilion, Nesterov green.
set view map
set contour base
unset surface
set cntrparam levels discrete 0.01, 0.05, 0.2, 0.5, 1, 2, 5, 10
set table $contours
splot datadir."/bowl-grid.dat" using 1:2:3 with lines notitle
unset table
unset contour
set surface
# y is stretched (not to scale) so that the zig-zags show
set xrange [-11:4]
set yrange [-1.6:1.6]
set xlabel "x"
set ylabel "y"
# the key sits above the plot, where it covers no path
set key tmargin center horizontal maxcols 4 Left reverse width 0 samplen 2.5 nobox noopaque
plot $contours using 1:2 with lines lc rgb "#bbbbbb" lw 0.7 notitle, \
     datadir."/bowl-gd.dat" using 2:3 with linespoints ls 1 pt 7 ps 0.25 title "GD", \
     datadir."/bowl-heavy.dat" using 2:3 with linespoints ls 2 pt 7 ps 0.25 title "heavy ball", \
     datadir."/bowl-nesterov.dat" using 2:3 with linespoints ls 3 pt 7 ps 0.25 title "Nesterov", \
     "+" using (0):(0) every ::0::0 with points pt 3 ps 1.2 lc rgb "#000000" title "minimum"
