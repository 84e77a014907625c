using System.Diagnostics;
using System.Globalization;
using System.Net;
using Relayguard.Gateway.Blocks;

namespace Relayguard.Benchmarks;

/// <summary>The block cache figures that BenchmarkDotNet does not give: per-call percentiles and memory per block.</summary>
public static class BlockCommands
{
    /// <summary>
    /// Times every <see cref="BlockCache.Find"/> call on its own (Stopwatch ticks around each call) over a mix of
    /// 90% misses and 10% hits, and prints the percentiles. The timer's own cost is measured and printed beside them.
    /// </summary>
    public static int Latency(BenchArguments args)
    {
        var subjects = args.Int("blocks", 1_000_000);
        var calls = args.Int("calls", 2_000_000);
        using var fixture = BlockFixture.Create(subjects);
        var cache = fixture.Cache;
        var random = new Random(8);
        var queries = new (string? Account, IPAddress Client)[4096];
        for (var i = 0; i < queries.Length; i++)
        {
            var n = random.Next(subjects / 10);
            queries[i] = (i % 10) switch
            {
                0 => (BlockFixture.BlockedAccount(n), IPAddress.Parse("192.0.2.10")),
                1 => (null, BlockFixture.BlockedIpv4(n)),
                2 or 3 => (null, IPAddress.Parse($"192.0.2.{i % 250}")),
                4 => ($"other{n}@example.org", BlockFixture.Ipv6(n + subjects, 7)),
                _ => ($"other{n}@example.org", IPAddress.Parse($"198.51.100.{i % 250}")),
            };
        }

        for (var i = 0; i < queries.Length * 50; i++)
        {
            var (account, client) = queries[i % queries.Length];
            cache.Find(account, client, nullSender: false);
        }

        var misses = new List<double>(calls);
        var hits = new List<double>(calls / 4);
        var nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
        var gen0 = GC.CollectionCount(0);
        for (var i = 0; i < calls; i++)
        {
            var (account, client) = queries[i % queries.Length];
            var start = Stopwatch.GetTimestamp();
            var found = cache.Find(account, client, nullSender: false);
            var elapsed = (Stopwatch.GetTimestamp() - start) * nanosecondsPerTick;
            (found is null ? misses : hits).Add(elapsed);
        }

        gen0 = GC.CollectionCount(0) - gen0;

        var overhead = new double[calls / 10];
        for (var i = 0; i < overhead.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            overhead[i] = (Stopwatch.GetTimestamp() - start) * nanosecondsPerTick;
        }

        Console.WriteLine($"blocks in cache: {cache.Count}");
        Console.WriteLine($"lookups: {calls}, {hits.Count} found a block; gen0 collections during the timed calls: {gen0}");
        Console.WriteLine($"all lookups (ns): {Percentiles.Summary([.. misses, .. hits], "ns", "0")}");
        Console.WriteLine($"misses (ns):      {Percentiles.Summary([.. misses], "ns", "0")}");
        Console.WriteLine($"hits (ns):        {Percentiles.Summary([.. hits], "ns", "0")}");
        Console.WriteLine($"empty timer pair (ns): {Percentiles.Summary(overhead, "ns", "0")}");
        return 0;
    }

    /// <summary>
    /// Loads the cache and prints the managed heap it holds per block: the heap after a full collection with the cache
    /// alive, less the heap before, divided by the blocks. The process RSS growth is printed too; it also contains
    /// SQLite's page cache and memory the GC has not returned.
    /// </summary>
    public static int Memory(BenchArguments args)
    {
        var subjects = args.Int("blocks", 1_000_000);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Environment.WorkingSet;
        var fixture = BlockFixture.Create(subjects);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = Process.GetCurrentProcess().WorkingSet64;
        var blocks = fixture.Cache.Count;
        var perBlock = (after - before) / (double)blocks;
        Console.WriteLine($"blocks in cache: {blocks} (written: {fixture.Blocks})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap held by the cache: {(after - before) / 1048576.0:0.0} MiB, {perBlock:0.0} bytes per block"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process RSS growth: {(rssAfter - rssBefore) / 1048576.0:0.0} MiB, {(rssAfter - rssBefore) / (double)blocks:0.0} bytes per block"));
        GC.KeepAlive(fixture);
        fixture.Dispose();
        return 0;
    }
}
