# style.gnuplot: the house style of every figure in the book. Loaded before
# each figure's own script, with `datadir` (the demo's output folder) and
# `outfile` (the PDF to write) already set on the command line.
# fontscale 1: pdfcairo halves every font by default, which prints 9 pt as 4.5 pt.
set terminal pdfcairo size 5.5in,3.2in font "Helvetica,9" fontscale 1.0 linewidth 1.2 rounded
set output outfile
set border 3 lw 0.8
set tics nomirror out scale 0.6
set grid lc rgb "#dddddd" lw 0.6
set key top right box opaque samplen 2 spacing 1.1 font ",8"
set datafile commentschars "#"
# A colour-blind-safe palette (Okabe and Ito), one line style per series.
set style line 1 lc rgb "#0072B2" lw 1.6
set style line 2 lc rgb "#D55E00" lw 1.6
set style line 3 lc rgb "#009E73" lw 1.6
set style line 4 lc rgb "#CC79A7" lw 1.6
set style line 5 lc rgb "#E69F00" lw 1.6
set style line 6 lc rgb "#56B4E9" lw 1.6
set style line 7 lc rgb "#000000" lw 1.6
set style line 8 lc rgb "#999999" lw 1.2 dt 2
set style increment user
