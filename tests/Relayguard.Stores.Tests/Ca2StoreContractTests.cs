using Relayguard.Detectors.Ca2;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="ICa2Store"/> must do, whatever stores the data.</summary>
public sealed class Ca2StoreContractTests
{
    private static readonly Ca2Options Options = new() { Count = 3, Window = "10m", BlockFor = "24h" };
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);
    private static readonly BlockSubject Address = BlockSubject.ForIp("198.51.100.7");

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Rejects_BlockAtCountOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);

        var results = new List<Ca2RejectResult>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await RecordAsync(store, Reject(Now.AddMinutes(-i))));
        }

        Assert.Equal(2, results[1].Nearby);
        Assert.Null(results[1].Block);
        Assert.True(results[2].BlockIsNew);
        Assert.True(results[3].AlreadyBlocked);
        Assert.Single(await store.ListActiveBlocksAsync(Now, default));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Redelivery_CountsOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);
        var reject = Reject(Now);

        await RecordAsync(store, reject);
        var again = await RecordAsync(store, reject);
        var next = await RecordAsync(store, Reject(Now));

        Assert.True(again.Duplicate);
        Assert.Equal(2, next.Nearby);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_EndsBlockAndEarlierRejects(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);
        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(store, Reject(Now.AddMinutes(-5)));
        }

        Assert.True(await store.RecordLiftAsync(Guid.NewGuid(), Address, Now.AddMinutes(-1), Now, default));
        var after = await RecordAsync(store, Reject(Now));

        Assert.Empty(await store.ListActiveBlocksAsync(Now, default));
        Assert.Equal(1, after.Nearby);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ConcurrentRejects_StoreOneBlock(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => RecordAsync(store, Reject(Now.AddSeconds(-i))))));

        Assert.Equal(1, results.Count(result => result.BlockIsNew));
        Assert.Single(await store.ListActiveBlocksAsync(Now, default));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Block_CarriesRejectTraces(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);
        var traces = new List<string>();

        Ca2RejectResult? result = null;
        for (var i = 0; i < Options.Count; i++)
        {
            traces.Add(TestTraceParents.New());
            result = await RecordAsync(store, Reject(Now.AddMinutes(i - Options.Count)) with { TraceParent = traces[^1] });
        }

        Assert.NotNull(result);
        Assert.True(result.BlockIsNew);
        Assert.Equal(traces.AsEnumerable().Reverse(), result.Block!.SubmissionTraceParents);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Nearby_KeepsSpamSymbols(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);
        await RecordAsync(store, Reject(Now.AddMinutes(-1)) with { SpamSymbols = ["GTUBE", "BAYES_SPAM"] });

        IReadOnlyList<Ca2Reject> nearby = [];
        var second = Reject(Now);
        await store.RecordRejectAsync(second, Now, Options.WindowDuration, threshold: 0, rejects => { nearby = rejects; return null; }, default);

        var first = Assert.Single(nearby, reject => reject.EventId != second.EventId);
        Assert.Equal(["GTUBE", "BAYES_SPAM"], first.SpamSymbols);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task BelowThreshold_CountsWithoutDeciding(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca2(Options);
        var decided = new List<int>();
        DetectorBlock? Decide(IReadOnlyList<Ca2Reject> nearby)
        {
            decided.Add(nearby.Count);
            return null;
        }

        var first = await store.RecordRejectAsync(Reject(Now.AddMinutes(-2)), Now, Options.WindowDuration, threshold: 3, Decide, default);
        var second = await store.RecordRejectAsync(Reject(Now.AddMinutes(-1)), Now, Options.WindowDuration, threshold: 3, Decide, default);
        var third = await store.RecordRejectAsync(Reject(Now), Now, Options.WindowDuration, threshold: 3, Decide, default);

        Assert.Equal([1, 2, 3], [first.Nearby, second.Nearby, third.Nearby]);
        Assert.Equal([3], decided);
    }

    private static Task<Ca2RejectResult> RecordAsync(ICa2Store store, Ca2Reject reject) =>
        store.RecordRejectAsync(reject, Now, Options.WindowDuration, Options.Count, nearby => Ca2Decision.Decide(reject.Subject, nearby, Options, Now), default);

    private static Ca2Reject Reject(DateTimeOffset submittedAt) => new(Guid.NewGuid(), Address, "M" + Guid.NewGuid().ToString("N")[..8], 15.5, submittedAt);
}
