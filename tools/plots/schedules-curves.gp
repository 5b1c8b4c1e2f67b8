# schedules-curves.gp: chapter 5, the learning rate of every schedule of the
# experiment over its 1000 steps, lr0 = 0.01, and of exponential decay for
# comparison (data: the demo's curves.dat; columns t, constant, step,
# multistep, exponential, inverse-time, cosine, warmup, warmup-cosine,
# plateau). One colour per schedule, the same as in schedules-noisy.gp, and
# a dash pattern of its own.
constant_c = "#D55E00"; step_c = "#0072B2"; multistep_c = "#56B4E9"
exp_c = "#777777"; inverse_c = "#E69F00"; cosine_c = "#009E73"
warmup_cosine_c = "#7A5195"; plateau_c = "#CC79A7"

eval figure_size(5.5, 3.6)
set output outfile
set multiplot
set xlabel "step t"
set xrange [0:1000]
set xtics 0,250,1000
set yrange [0:0.0105]
set ytics 0,0.002,0.010
set format y "%.3f"
set tmargin at screen 0.89
set bmargin at screen 0.42
# the keys sit under the panels, where they cannot cover a curve
set key noopaque nobox vertical maxrows 3 Left reverse left top width -1 samplen 2.5

set title "decays"
set ylabel "learning rate" offset 0.2,0
set lmargin at screen 0.165
set rmargin at screen 0.475
set key at screen 0.02, screen 0.215
plot datadir."/curves.dat" \
        using 1:2 with lines lc rgb constant_c lw 1.6 dt (1, 2) title "constant", \
     "" using 1:3 with lines lc rgb step_c lw 1.6 title "step", \
     "" using 1:4 with lines lc rgb multistep_c lw 1.6 dt (7, 3) title "multi-step", \
     "" using 1:6 with lines lc rgb inverse_c lw 1.6 dt (12, 3) title "inverse time", \
     "" using 1:7 with lines lc rgb cosine_c lw 1.6 dt (9, 3, 2, 3) title "cosine", \
     "" using 1:5 with lines lc rgb exp_c lw 1.2 dt (3, 2) title "exponential"

set title "warm-up and plateau"
set lmargin at screen 0.665
set rmargin at screen 0.955
set key at screen 0.63, screen 0.215
plot datadir."/curves.dat" \
        using 1:9 with lines lc rgb warmup_cosine_c lw 1.6 \
        title "warm-up + cosine", \
     "" using 1:10 with lines lc rgb plateau_c lw 1.6 dt (7, 3) title "plateau (one run)"
unset multiplot
