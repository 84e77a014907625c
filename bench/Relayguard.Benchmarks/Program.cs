using BenchmarkDotNet.Running;
using Relayguard.Benchmarks;

// relayguard-bench COMMAND [--option value ...]; the bench/*.sh scripts run these and record their output.
var command = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToArray();
switch (command)
{
    case "lookup":
        // BenchmarkDotNet's own options, for example --filter '*' --job short.
        BenchmarkSwitcher.FromTypes([typeof(BlockLookupBenchmarks)]).Run(rest);
        return 0;
    case "lookup-latency":
        return BlockCommands.Latency(new BenchArguments(rest));
    case "block-memory":
        return BlockCommands.Memory(new BenchArguments(rest));
    default:
        Console.Error.WriteLine("""
            usage: relayguard-bench COMMAND [options]
              lookup [BenchmarkDotNet options]          BlockCache.Find with 1,000,000 blocks (BenchmarkDotNet)
              lookup-latency [--blocks N] [--calls N]   per-call percentiles of BlockCache.Find
              block-memory [--blocks N]                 managed heap per cached block
            """);
        return command == "help" ? 0 : 2;
}
