using ArbBot.Benchmarks;
using BenchmarkDotNet.Running;

// bench: `dotnet run -c Release --project ArbBot.Benchmarks -- <command> [options]`; see bench/RESULTS.md.
return args.Length == 0 ? Cli.Usage() : args[0] switch
{
    "generate" => Cli.Generate(Cli.Options(args)),
    "replay" => Cli.Replay(Cli.Options(args)),
    "load" => LiveLoad.Run(Cli.Options(args)),
    "latency" => LatencyLoad.Run(Cli.Options(args)),
    "fanout" => FanOut.Run(Cli.Options(args)),
    "soak" => MemorySoak.Run(Cli.Options(args)),
    "persist" => PersistenceLoad.Run(Cli.Options(args)),
    "smoke" => Smoke.Run(Cli.Options(args)),
    "micro" => RunMicro(args[1..]),
    _ => Cli.Usage(),
};

static int RunMicro(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(Cli).Assembly).Run(rest);
    return 0;
}
