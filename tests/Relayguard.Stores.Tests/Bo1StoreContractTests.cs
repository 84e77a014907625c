using Relayguard.Detectors.Bo1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="IBo1Store"/> must do, whatever stores the data.</summary>
public sealed class Bo1StoreContractTests
{
    private static readonly Bo1Options Options = new() { EscalateAfter = 3, Window = "1h", BlockFor = "24h" };
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);
    private static readonly BlockSubject[] Subjects = [BlockSubject.ForAccount("mailer"), BlockSubject.ForIp("203.0.113.9")];

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Refusals_BlockEachSubjectOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Bo1(Options);

        var results = new List<Bo1RefusalResult>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await RecordAsync(store, Refusal(Now.AddMinutes(-i))));
        }

        Assert.Empty(results[1].Blocks);
        Assert.Equal(2, results[2].Blocks.Count);
        Assert.All(results[3].Subjects, subject => Assert.True(subject.AlreadyBlocked));
        Assert.Equal(2, (await store.ListActiveBlocksAsync(Now, default)).Count);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Redelivery_CountsOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Bo1(Options);
        var refusal = Refusal(Now);

        await RecordAsync(store, refusal);
        var again = await RecordAsync(store, refusal);
        var next = await RecordAsync(store, Refusal(Now));

        Assert.True(again.Duplicate);
        Assert.All(next.Subjects, subject => Assert.Equal(2, subject.Nearby));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_EndsOnlyThatSubject(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Bo1(Options);
        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(store, Refusal(Now.AddMinutes(-10)));
        }

        Assert.True(await store.RecordLiftAsync(Guid.NewGuid(), Subjects[0], Now.AddMinutes(-1), Now, default));

        var active = Assert.Single(await store.ListActiveBlocksAsync(Now, default));
        Assert.Equal(Subjects[1], active.Subject);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Blocks_CarryRefusalTraces(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Bo1(Options);
        var traces = new List<string>();

        Bo1RefusalResult? result = null;
        for (var i = 0; i < Options.EscalateAfter; i++)
        {
            traces.Add(TestTraceParents.New());
            result = await RecordAsync(store, Refusal(Now.AddMinutes(i - Options.EscalateAfter)) with { TraceParent = traces[^1] });
        }

        Assert.NotNull(result);
        Assert.Equal(Subjects.Length, result.Blocks.Count);
        Assert.All(result.Blocks, block => Assert.Equal(traces.AsEnumerable().Reverse(), block.SubmissionTraceParents));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task BelowThreshold_CountsWithoutDeciding(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Bo1(Options);
        var decided = new List<int>();
        DetectorBlock? Decide(BlockSubject subject, IReadOnlyList<Bo1Refusal> nearby)
        {
            decided.Add(nearby.Count);
            return null;
        }

        var first = await store.RecordRefusalAsync(Refusal(Now.AddMinutes(-1)), Subjects, Now, Options.WindowDuration, threshold: 2, Decide, default);
        var second = await store.RecordRefusalAsync(Refusal(Now), Subjects, Now, Options.WindowDuration, threshold: 2, Decide, default);

        Assert.All(first.Subjects, subject => Assert.Equal(1, subject.Nearby));
        Assert.All(second.Subjects, subject => Assert.Equal(2, subject.Nearby));
        Assert.Equal(Enumerable.Repeat(2, Subjects.Length), decided);
    }

    private static Task<Bo1RefusalResult> RecordAsync(IBo1Store store, Bo1Refusal refusal) =>
        store.RecordRefusalAsync(refusal, Subjects, Now, Options.WindowDuration, Options.EscalateAfter, (subject, nearby) => Bo1Decision.Decide(subject, nearby, Options, Now), default);

    private static Bo1Refusal Refusal(DateTimeOffset submittedAt) => new(Guid.NewGuid(), "M" + Guid.NewGuid().ToString("N")[..8], submittedAt);
}
