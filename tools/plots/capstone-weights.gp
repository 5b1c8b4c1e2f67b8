# capstone-weights.gp: chapter 8, the ten rows of W after the SGD run (top
# two rows) and the Adam run (bottom two), each drawn as the 8x8 image it
# multiplies: red pixels vote for the digit, blue ones against it (data:
# weights.dat, one 8x8 block per digit, SGD's ten then Adam's ten).
set multiplot layout 4,5 margins 0.22,0.78,0.02,0.95 spacing 0.01,0.045
unset border
unset tics
unset grid
unset key
unset colorbox
set size ratio -1
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set palette defined (-1 "#2166AC", 0 "#F7F7F7", 1 "#B2182B")
set cbrange [-4:4]
set label 1 "SGD, lr 1" at screen 0.08,0.74 font ",10"
set label 2 "Adam, lr 0.1" at screen 0.08,0.26 font ",10"
do for [k=0:19] {
    set title sprintf("%d", k % 10) offset 0,-0.9 font ",8"
    if (k == 19) {
        set colorbox user origin 0.82,0.25 size 0.02,0.5
        set cbtics 2 font ",7"
    }
    plot datadir."/weights.dat" index k matrix with image
    unset label 1
    unset label 2
}
unset multiplot
