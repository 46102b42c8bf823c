# Groups `perf report --no-children --sort dso,sym --stdio --percent-limit 0` lines by layer: each layer's share of
# the process's CPU samples (self time), normalised to the lines' sum (perf rounds thousands of small entries up).
# .NET code is named by the runtime's perf map: "<return type> [Assembly] Namespace.Type::Method(...)", so the
# layer is the assembly that owns the method (async plumbing and collections count as the base library even when
# they run a Kestrel or YARP state machine); a Native AOT SwarmEdge (stripped of nothing: publish with
# -p:StripSymbols=false) by its binary's symbols, the same way. Output: one "percent layer" line per layer, largest first, then the
# 15 hottest methods of SwarmEdge's own code.
/^ *[0-9.]+%/ {
  pct = $1; sub(/%/, "", pct); pct += 0
  line = $0
  layer = "other"
  if (line ~ /\[k\]/) layer = "kernel (TCP/IP, epoll, scheduler)"
  else if (line ~ /libcoreclr|libclrjit/) layer = "runtime (GC, JIT, type system)"
  else if (line ~ /libc\.so|libpthread|ld-linux|libSystem\.Native|\[vdso\]/) layer = "libc and native shims"
  else if (match(sym = substr(line, index(line, "[.] ") + 4), /\[[A-Za-z][A-Za-z0-9_.-]*\] /)) {
    asm = substr(sym, RSTART + 1, RLENGTH - 3)
    if (asm == "SwarmEdge") layer = "SwarmEdge"
    else if (asm == "YarpReference") layer = "YARP reference app"
    else if (asm ~ /^Yarp\./) layer = "YARP"
    else if (asm ~ /Kestrel/) layer = "Kestrel"
    else if (asm == "System.Net.Http") layer = "SocketsHttpHandler"
    else if (asm == "System.Net.Sockets") layer = "Sockets"
    else if (asm ~ /^Microsoft\.AspNetCore\./) layer = "ASP.NET Core (hosting, routing, middleware)"
    else if (asm ~ /^Microsoft\.Extensions\./) layer = "Microsoft.Extensions (logging, options, DI)"
    else if (asm ~ /^(Prometheus|prometheus)/) layer = "prometheus-net"
    else if (asm ~ /^OpenTelemetry|^System\.Diagnostics\.DiagnosticSource/) layer = "diagnostics (Activity, meters)"
    else if (asm ~ /^System\./) layer = "base library (async, threads, collections, text)"
    else layer = "other: " asm
  }
  else if ($2 == "SwarmEdge") {
    # Native AOT: the binary's own symbols, the managed ones mangled as Assembly_Namespace_Type__Method (dots as
    # underscores, CoreLib as S_P_CoreLib); the runtime's are Rh* helpers and the GC's C++ (SVR::/WKS::).
    sym = substr(line, index(line, "[.] ") + 4)
    if (sym ~ /^SwarmEdge_/) layer = "SwarmEdge"
    else if (sym ~ /^Yarp_/) layer = "YARP"
    else if (sym ~ /^Microsoft_AspNetCore_Server_Kestrel/) layer = "Kestrel"
    else if (sym ~ /^System_Net_Http_/) layer = "SocketsHttpHandler"
    else if (sym ~ /^System_Net_Sockets_/) layer = "Sockets"
    else if (sym ~ /^Microsoft_AspNetCore_/) layer = "ASP.NET Core (hosting, routing, middleware)"
    else if (sym ~ /^Microsoft_Extensions_/) layer = "Microsoft.Extensions (logging, options, DI)"
    else if (sym ~ /^Prometheus_/) layer = "prometheus-net"
    else if (sym ~ /^OpenTelemetry_|^System_Diagnostics_DiagnosticSource_/) layer = "diagnostics (Activity, meters)"
    else if (sym ~ /^Polly_/) layer = "other: Polly.Core"
    else if (sym ~ /^(S_P_|System_)/) layer = "base library (async, threads, collections, text)"
    else if (sym ~ /^Rh|::|^[A-Z][A-Za-z]*Heap|^Gc|^GC/) layer = "runtime (GC, JIT, type system)"
    else layer = "other: Native AOT (unnamed)"
  }
  else if (line ~ /memfd:doublemapper|perf-[0-9]+\.map/) layer = "JIT code not named (W^X on: profile with it off)"
  share[layer] += pct; total += pct
  if (layer == "SwarmEdge") { own[++n] = pct; ownline[n] = substr(line, index(line, "[.]") + 4) }
}
END {
  if (total == 0) exit
  m = 0
  for (l in share) { names[++m] = l }
  for (i = 1; i <= m; i++) {
    for (j = i + 1; j <= m; j++) if (share[names[j]] > share[names[i]]) { t = names[i]; names[i] = names[j]; names[j] = t }
    printf "%6.2f %%  %s\n", 100 * share[names[i]] / total, names[i]
  }
  for (i = 1; i <= n && i <= 15; i++) printf "  SwarmEdge %5.2f %%  %s\n", 100 * own[i] / total, substr(ownline[i], 1, 160)
}
