using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="IRl1Store"/> must do, whatever stores the data.</summary>
public sealed class Rl1StoreContractTests
{
    private static readonly Rl1Limits Limits = new(Messages: 3, Recipients: 0);
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);
    private static readonly BlockSubject Account = BlockSubject.ForAccount("Shop");

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Messages_BlockAtLimitOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Rl1();

        var results = new List<Rl1Result>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await RecordAsync(store, Submission(Now.AddMinutes(-10 + i))));
        }

        Assert.Equal(2, results[1].Messages);
        Assert.Null(results[1].Block);
        Assert.True(results[2].BlockIsNew);
        Assert.True(results[3].AlreadyBlocked);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Redelivery_CountsOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Rl1();
        var submission = Submission(Now.AddMinutes(-5));

        await RecordAsync(store, submission);
        var again = await RecordAsync(store, submission);
        var next = await RecordAsync(store, Submission(Now.AddMinutes(-4)) with { Subject = BlockSubject.ForAccount("shop") });

        Assert.True(again.Duplicate);
        Assert.Equal(2, next.Messages);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_EndsBlockAndEarlierMessages(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Rl1();
        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(store, Submission(Now.AddMinutes(-10)));
        }

        Assert.True(await store.RecordLiftAsync(Guid.NewGuid(), Account, Now.AddMinutes(-2), Now, default));
        var after = await RecordAsync(store, Submission(Now.AddMinutes(-1)));

        Assert.Equal(1, after.Messages);
        Assert.Null(after.Block);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Block_CarriesSubmissionTraces(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Rl1();
        var traces = new List<string>();

        Rl1Result? result = null;
        for (var i = 0; i < Limits.Messages; i++)
        {
            traces.Add(TestTraceParents.New());
            result = await RecordAsync(store, Submission(Now.AddMinutes(i - Limits.Messages)) with { TraceParent = traces[^1] });
        }

        Assert.NotNull(result);
        Assert.True(result.BlockIsNew);
        Assert.Equal(traces.AsEnumerable().Reverse(), result.Block!.SubmissionTraceParents);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task BelowLimits_SumsWithoutDeciding(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Rl1();
        var limits = new Rl1Limits(Messages: 0, Recipients: 5);
        var decided = new List<int>();
        DetectorBlock? Decide(IReadOnlyList<Rl1Submission> recent)
        {
            decided.Add(recent.Count);
            return null;
        }

        var first = await store.RecordAsync(Submission(Now.AddMinutes(-2)) with { Recipients = 2 }, Now - Rl1Options.Window, Now, limits, Decide, default);
        var second = await store.RecordAsync(Submission(Now.AddMinutes(-1)) with { Recipients = 2 }, Now - Rl1Options.Window, Now, limits, Decide, default);
        var third = await store.RecordAsync(Submission(Now) with { Recipients = 1 }, Now - Rl1Options.Window, Now, limits, Decide, default);

        Assert.Equal([(1, 2), (2, 4), (3, 5)], [(first.Messages, first.Recipients), (second.Messages, second.Recipients), (third.Messages, third.Recipients)]);
        Assert.Equal([3], decided);
    }

    private static Task<Rl1Result> RecordAsync(IRl1Store store, Rl1Submission submission) =>
        store.RecordAsync(submission, Now - Rl1Options.Window, Now, Limits, recent => Rl1Decision.Decide(submission.Subject, recent, Limits, Now), default);

    private static Rl1Submission Submission(DateTimeOffset submittedAt) => new(Guid.NewGuid(), Account, "M" + Guid.NewGuid().ToString("N")[..8], 1, submittedAt);
}
