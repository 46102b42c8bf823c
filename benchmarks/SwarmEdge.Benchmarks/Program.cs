using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/SwarmEdge.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(SwarmEdge.Benchmarks.SwarmScale).Assembly).Run(args);
