# style.gnuplot: the house style of every figure, in the book (PDF) and in
# the web edition (SVG). Loaded before each figure's own script, with
# `datadir` (the demo's output folder) and `outfile` (the .pdf or .svg to
# write) already set on the command line. A script that needs another size
# says `eval figure_size(width, height)` (inches) and `set output outfile`.
#
# The text's font: Latin Modern Roman, the book's; its Greek comes from
# KaTeX's math italic (tools/plots/fonts.conf). The SVG names the same font
# first (the web edition's CSS uses the same list).
svg = strstrt(outfile, ".svg") > 0
# fontscale 1: pdfcairo halves every font by default, which prints 9 pt as
# 4.5 pt. The SVG is drawn at 72 units per inch, so that it keeps the PDF's
# proportions when the page scales it.
figure_size(w, h) = svg \
  ? sprintf("set terminal svg size %d,%d dynamic enhanced font 'Latin Modern Roman,9' fontscale 1.0 linewidth 1.0 dashlength 1.4 rounded background rgb 'white'", w * 72, h * 72) \
  : sprintf("set terminal pdfcairo size %gin,%gin enhanced font 'Latin Modern Roman,9' fontscale 1.0 linewidth 1.2 dashlength 2 rounded", w, h)
eval figure_size(5.5, 3.2)
set output outfile
set encoding utf8
set border 3 lw 0.8
set tics nomirror out scale 0.6
set grid lc rgb "#dddddd" lw 0.6
set key top right box opaque samplen 2.5 spacing 1.1 font ",8"
set datafile commentschars "#"
# A colour-blind-safe palette (Okabe and Ito), one line style per series,
# and each style a dash pattern of its own as well, so that two series
# never differ by their colour alone (nor in grey print).
set style line 1 lc rgb "#0072B2" lw 1.6 dt solid               # blue
set style line 2 lc rgb "#D55E00" lw 1.6 dt (7, 3)              # vermilion, dashes
set style line 3 lc rgb "#009E73" lw 1.6 dt (9, 3, 2, 3)        # green, dash-dot
set style line 4 lc rgb "#CC79A7" lw 1.6 dt (3, 2)              # purple, short dashes
set style line 5 lc rgb "#E69F00" lw 1.6 dt (12, 3)             # orange, long dashes
set style line 6 lc rgb "#56B4E9" lw 1.6 dt (6, 2, 2, 2, 2, 2)  # sky blue, dash-dot-dot
set style line 7 lc rgb "#000000" lw 1.6 dt solid               # black
set style line 8 lc rgb "#999999" lw 1.2 dt (4, 3)              # grey, short dashes
set style increment user
