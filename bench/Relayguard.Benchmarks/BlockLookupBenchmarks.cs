using System.Net;
using BenchmarkDotNet.Attributes;
using Relayguard.Gateway.Blocks;

namespace Relayguard.Benchmarks;

/// <summary>
/// <see cref="BlockCache.Find"/> as MAIL FROM calls it, with a million active blocks. Most MAIL FROM commands
/// come from senders without a block, so the misses are the common case.
/// </summary>
[MemoryDiagnoser]
public class BlockLookupBenchmarks
{
    private static readonly IPAddress FreeIpv4 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress FreeIpv6 = IPAddress.Parse("2001:db8:ffff:1::10");
    private static readonly IPAddress MappedIpv4 = IPAddress.Parse("::ffff:192.0.2.10");

    private BlockFixture? _fixture;
    private BlockCache _cache = null!;
    private IPAddress _blockedIpv4 = null!;
    private string _blockedAccount = null!;

    /// <summary>Blocked subjects: RELAYGUARD_BENCH_BLOCKS, else 1,000,000 (bench/blocks.sh --smoke sets fewer).</summary>
    public static int Subjects => int.TryParse(Environment.GetEnvironmentVariable("RELAYGUARD_BENCH_BLOCKS"), out var subjects) ? subjects : 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = BlockFixture.Create(Subjects);
        _cache = _fixture.Cache;
        _blockedIpv4 = BlockFixture.BlockedIpv4(Subjects / 20);
        _blockedAccount = BlockFixture.BlockedAccount(Subjects / 20);
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture?.Dispose();

    [Benchmark(Baseline = true, Description = "miss: account, IPv4")]
    public BlockEntry? MissAccountIpv4() => _cache.Find("someone@example.org", FreeIpv4, nullSender: false);

    [Benchmark(Description = "miss: trusted, no account, IPv4")]
    public BlockEntry? MissTrustedIpv4() => _cache.Find(null, FreeIpv4, nullSender: false);

    [Benchmark(Description = "miss: account, IPv4-mapped IPv6")]
    public BlockEntry? MissAccountMapped() => _cache.Find("someone@example.org", MappedIpv4, nullSender: false);

    [Benchmark(Description = "miss: account, IPv6")]
    public BlockEntry? MissAccountIpv6() => _cache.Find("someone@example.org", FreeIpv6, nullSender: false);

    [Benchmark(Description = "hit: blocked account")]
    public BlockEntry? HitAccount() => _cache.Find(_blockedAccount, FreeIpv4, nullSender: false);

    [Benchmark(Description = "hit: blocked IPv4")]
    public BlockEntry? HitIpv4() => _cache.Find(null, _blockedIpv4, nullSender: false);
}
