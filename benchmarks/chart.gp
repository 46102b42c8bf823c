# Chart for benchmarks/run.sh: throughput (left) and failed requests (right) per proxy.
# Called as: gnuplot -e "datafile='...'; outfile='...'; subtitle='...'; nodeloss=0|1" chart.gp
# datafile columns: "label" requests_per_s update_failed sigkill_failed direct_requests_per_s node_loss_failed
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1400,620 enhanced font "DejaVu Sans,11"
} else {
  set terminal png size 1400,620 font "DejaVu Sans,11"
}
set output outfile
set multiplot layout 1,2 title "SwarmEdge vs nginx, HAProxy, Caddy on one Docker Swarm (".subtitle.")" font ",14"

set style data histogram
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics lc rgb "#dddddd"
set xtics nomirror rotate by -20 offset -1,0
set ytics nomirror
set key top right
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set format y "%.0f"

set title "Throughput (wrk, 64 connections)"
set ylabel "requests/s"
set style histogram clustered gap 1
plot datafile using 2:xtic(1) title "through the proxy" lc rgb "#3a78c3", \
     '' using 5 title "straight to one task (measured just before)" lc rgb "#bbbbbb", \
     '' using ($0 - 0.17):2:(sprintf("%.0f", $2)) with labels offset 0,0.8 font ",10" notitle, \
     '' using ($0 + 0.17):5:(sprintf("%.0f", $5)) with labels offset 0,0.8 font ",9" tc rgb "#666666" notitle

# Log scale: one proxy can fail hundreds of thousands of requests where another fails none. Zero has no bar;
# its label sits on the axis.
set title "Failed requests (non-2xx, socket errors, timeouts; 16 connections)"
set ylabel "failed requests (log scale)"
stats datafile using 3 nooutput
fmax = STATS_max
stats datafile using 4 nooutput
fmax = (STATS_max > fmax ? STATS_max : fmax)
if (nodeloss) { stats datafile using 6 nooutput; fmax = (STATS_max > fmax ? STATS_max : fmax) }
set logscale y
set yrange [0.8:(fmax < 1 ? 100 : fmax * 100)]
set offsets 0, 0, 0, 0
set format y "%.0f"
set style histogram clustered gap 1
lbl(v) = sprintf("%d", v)
at(v) = (v < 1 ? 1 : v)
if (nodeloss) {
  plot datafile using 3:xtic(1) title "during rolling update" lc rgb "#d9822b", \
       '' using 4 title "task SIGKILL" lc rgb "#b03030", \
       '' using 6 title "node loss (3-node lab)" lc rgb "#6a4c93", \
       '' using ($0 - 0.25):(at($3)):(lbl($3)) with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
       '' using ($0):(at($4)):(lbl($4)) with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
       '' using ($0 + 0.25):(at($6)):(lbl($6)) with labels rotate by 90 left offset 0,0.4 font ",9" notitle
} else {
  plot datafile using 3:xtic(1) title "during rolling update" lc rgb "#d9822b", \
       '' using 4 title "task SIGKILL" lc rgb "#b03030", \
       '' using ($0 - 0.17):(at($3)):(lbl($3)) with labels rotate by 90 left offset 0,0.4 font ",10" notitle, \
       '' using ($0 + 0.17):(at($4)):(lbl($4)) with labels rotate by 90 left offset 0,0.4 font ",10" notitle
}
unset multiplot
