# momentum-tuned.gp: distance to the minimum, tuned GD against the tuned
# heavy ball on f = (x^2 + 100 y^2)/2, with the formulas (chapter 3).
set logscale y
set format y "10^{%L}"
set xrange [0:750]
set yrange [1e-8:10]
set xlabel "step k"
set ylabel "||x_k - x*|| / ||x_0 - x*||"
set key top right
plot datadir."/tuned.dat" using 1:2 with lines ls 1 lw 3 title "GD, lr 2/(mu+L)", \
     datadir."/tuned.dat" using 1:3 with lines ls 7 lw 0.8 dt 2 title "((kappa-1)/(kappa+1))^k", \
     datadir."/tuned.dat" using 1:4 with lines ls 2 lw 3 title "tuned heavy ball", \
     datadir."/tuned.dat" using 1:5 with lines ls 7 lw 0.8 title "exact formula", \
     datadir."/tuned.dat" using 1:6 with lines ls 8 title "((sqrt(kappa)-1)/(sqrt(kappa)+1))^k", \
     1e-6 with lines lc rgb "#999999" lw 0.6 dt 3 notitle
