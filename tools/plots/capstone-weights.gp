# capstone-weights.gp: chapter 8, the ten rows of W after the SGD run (top
# block) and the Adam run (bottom block), each drawn as the 8x8 image it
# multiplies: red pixels vote for the digit, blue ones against it (data:
# weights.dat, one 8x8 block per digit, SGD's ten then Adam's ten).
# Each run has a colour scale of its own, symmetric and wide enough for its
# largest weight (SGD's 2.65, Adam's 5.5), so that no pixel is clipped and
# SGD's smaller weights do not fade to white on Adam's scale.
W = 6.2; H = 5.05                    # canvas, inches
eval figure_size(W, H)
set output outfile
unset border
unset tics
unset grid
unset key
unset colorbox
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set palette defined (-1 "#2166AC", 0 "#F7F7F7", 1 "#B2182B")
cb(k) = k < 10 ? 3 : 6                 # the colour scale of panel k
s = 0.86; gap = 0.12                 # panel side and gap between panels
head = 0.30; cap = 0.19              # block heading, digit title above a panel
x0 = 0.30; top = H - 0.08            # left edge of the grid, top of the canvas
px(c) = x0 + c * (s + gap)           # left edge of column c
# the top edge of panel row r (0, 1: SGD; 2, 3: Adam); each block starts
# with its heading
py(r) = top - head * (1 + int(r / 2)) - cap * (r + 1) - s * r - 0.06 * int(r / 2)
grid_mid = (px(0) + px(4) + s) / 2
set multiplot
set label 1 "SGD, lr 1" at screen grid_mid / W, (top - head * 0.45) / H \
    center font ",10"
set label 2 "Adam, lr 0.1" \
    at screen grid_mid / W, (py(2) + cap + head * 0.55) / H center font ",10"
do for [k = 0:19] {
    r = int(k / 5); c = k % 5
    set lmargin at screen px(c) / W
    set rmargin at screen (px(c) + s) / W
    set tmargin at screen py(r) / H
    set bmargin at screen (py(r) - s) / H
    set label 3 sprintf("%d", k % 10) at graph 0.5, graph 1.0 center \
        offset 0, 0.55 font ",9"
    set cbrange [-cb(k):cb(k)]
    if (k == 9 || k == 19) {            # one colour bar per run, beside its rows
        set colorbox user origin screen (px(4) + s + 0.3) / W, (py(r) - s) / H \
            size screen 0.14 / W, (py(r - 1) - py(r) + s) / H
        set cbtics cb(k) / 3 out nomirror scale 0.6 font ",8"
        set cblabel "weight" font ",8"
    } else {
        unset colorbox
    }
    plot datadir."/weights.dat" index k matrix with image
    unset label 1
    unset label 2
}
unset multiplot
