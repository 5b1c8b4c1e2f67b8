# rosenbrock-contours.gnuplot: turns the Rosenbrock grid that a demo wrote
# (datadir/rosenbrock-grid.dat) into contour lines in the datablock $contours.
# Loaded by the Rosenbrock figures of chapters 1 and 3.
set view map
set contour base
unset surface
set cntrparam levels discrete 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000
set table $contours
splot datadir."/rosenbrock-grid.dat" using 1:2:3 with lines notitle
unset table
unset contour
set surface
