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
    case "detectors":
        return await DetectorThroughput.RunAsync(new BenchArguments(rest));
    case "decision":
        return await DecisionLatency.RunAsync(new BenchArguments(rest));
    default:
        Console.Error.WriteLine("""
            usage: relayguard-bench COMMAND [options]
              lookup [BenchmarkDotNet options]          BlockCache.Find with 1,000,000 blocks (BenchmarkDotNet)
              lookup-latency [--blocks N] [--calls N]   per-call percentiles of BlockCache.Find
              block-memory [--blocks N]                 managed heap per cached block
              detectors --detector ca1|ca2|bo1|rl1 --transport none|memory|rabbitmq [--rabbitmq URI] [--events N]
                                                        events per second that one detector applies
              decision --transport memory|rabbitmq [--rabbitmq URI] [--decisions N] [--smtp-port N] [--ops-port N]
                                                        from the crossing event to the first refused MAIL FROM
            """);
        return command == "help" ? 0 : 2;
}
