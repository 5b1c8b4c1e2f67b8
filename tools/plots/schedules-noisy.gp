# schedules-noisy.gp: chapter 5, the loss of one noisy GD run on the
# kappa = 100 quadratic under three schedules and reduce-on-plateau, with
# the noise floor of the constant rate (data: the demo's noisy.dat).
# One colour per schedule, the same as in schedules-curves.gp.
constant_c = "#D55E00"; step_c = "#0072B2"; cosine_c = "#009E73"
plateau_c = "#CC79A7"
set xlabel "step"
set ylabel "loss f(x_k)"
set logscale y
set format y "10^{%L}"
set xrange [0:1000]
set yrange [5e-4:200]
# the key sits above the plot, where it covers none of the noisy curves
set key tmargin center horizontal maxcols 3 Left reverse width 0 samplen 2.5 nobox noopaque
plot datadir."/noisy.dat" \
        using 1:2 with lines lc rgb constant_c lw 0.9 title "constant", \
     "" using 1:3 with lines lc rgb step_c lw 0.9 title "step", \
     "" using 1:4 with lines lc rgb cosine_c lw 0.9 title "cosine", \
     "" using 1:5 with lines lc rgb plateau_c lw 0.9 title "reduce on plateau", \
     "" using 1:6 with lines ls 7 dt 2 lw 1.4 title "noise floor of lr_0"
