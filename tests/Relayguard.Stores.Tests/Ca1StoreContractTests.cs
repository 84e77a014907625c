using Relayguard.Detectors.Ca1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="ICa1Store"/> must do, whatever stores the data.</summary>
public sealed class Ca1StoreContractTests
{
    private static readonly Ca1Options Options = new() { MinInvalidRecipients = 3, MinInvalidShare = 0.2 };
    private static readonly DateTimeOffset Window = TestClock.HourStart;
    private static readonly DateTimeOffset Now = Window.AddMinutes(30);
    private static readonly DateTimeOffset SubmittedAt = Window.AddMinutes(10);

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Submission_CountsDistinctRecipientsOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        var submission = Submission("alice", "r1", "r2", "r2", "r3");

        var first = await store.RecordSubmissionAsync(submission, Now, Decide, default);
        var again = await store.RecordSubmissionAsync(submission, Now, Decide, default);

        Assert.Equal(3, first.Tally!.DistinctRecipients);
        Assert.True(again.Duplicate);
        Assert.Equal(3, (await store.GetTallyAsync("alice", Window, default)).DistinctRecipients);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task BounceBeforeSubmission_CountsOnceSubmitted(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);

        var early = await store.RecordInvalidBounceAsync(Bounce("alice", "r1"), Now, Decide, default);
        Assert.Equal(0, early.Tally!.InvalidRecipients);

        var submitted = await store.RecordSubmissionAsync(Submission("alice", "r1", "r2"), Now, Decide, default);
        Assert.Equal(1, submitted.Tally!.InvalidRecipients);
        Assert.Equal(2, submitted.Tally.DistinctRecipients);
        Assert.Equal("r1@example.net", Assert.Single((await store.GetTallyAsync("alice", Window, default)).Samples).Value);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Threshold_StoresOneBlock(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        await store.RecordSubmissionAsync(Submission("alice", "r1", "r2", "r3", "r4", "r5"), Now, Decide, default);

        var results = new List<Ca1Result>();
        foreach (var recipient in new[] { "r1", "r2", "r3", "r4" })
        {
            results.Add(await store.RecordInvalidBounceAsync(Bounce("alice", recipient), Now, Decide, default));
        }

        Assert.False(results[1].BlockIsNew);
        Assert.True(results[2].BlockIsNew);
        Assert.Equal(["r1@example.net", "r2@example.net", "r3@example.net"], results[2].Block!.AccountBlocked!.Evidence.Samples.Select(sample => sample.Value).Order());
        Assert.True(results[3].AlreadyBlocked);
        Assert.Null(results[3].Block);
        Assert.Single(await store.ListActiveBlocksAsync(Now, default));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ConcurrentBounces_StoreOneBlock(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        var recipients = Enumerable.Range(0, 20).Select(i => $"r{i}").ToArray();
        await store.RecordSubmissionAsync(Submission("alice", recipients), Now, Decide, default);

        var results = await Task.WhenAll(recipients.Select(r => Task.Run(() => store.RecordInvalidBounceAsync(Bounce("alice", r), Now, Decide, default))));

        Assert.Equal(1, results.Count(result => result.BlockIsNew));
        Assert.Single(await store.ListActiveBlocksAsync(Now, default));
        Assert.Equal(20, (await store.GetTallyAsync("alice", Window, default)).InvalidRecipients);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task UnpublishedBlock_ReturnsOnRedelivery(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        await store.RecordSubmissionAsync(Submission("alice", "r1", "r2", "r3"), Now, Decide, default);
        await store.RecordInvalidBounceAsync(Bounce("alice", "r1"), Now, Decide, default);
        await store.RecordInvalidBounceAsync(Bounce("alice", "r2"), Now, Decide, default);
        var last = Bounce("alice", "r3");
        var blocked = await store.RecordInvalidBounceAsync(last, Now, Decide, default);

        var redelivered = await store.RecordInvalidBounceAsync(last, Now, Decide, default);
        await store.MarkPublishedAsync(blocked.Block!.EventId, Now, default);
        var afterPublish = await store.RecordInvalidBounceAsync(last, Now, Decide, default);

        Assert.True(redelivered.Duplicate);
        Assert.Equal(blocked.Block.EventId, redelivered.Block?.EventId);
        Assert.Null(afterPublish.Block);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_EndsBlockAndEarlierCounts(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        await store.RecordSubmissionAsync(Submission("alice", "r1", "r2", "r3"), Now, Decide, default);
        foreach (var recipient in new[] { "r1", "r2", "r3" })
        {
            await store.RecordInvalidBounceAsync(Bounce("alice", recipient), Now, Decide, default);
        }

        var liftId = Guid.NewGuid();
        Assert.Single(await store.ListActiveBlocksAsync(Now, default));
        Assert.True(await store.RecordLiftAsync(liftId, "alice", SubmittedAt.AddMinutes(5), Now, default));
        Assert.False(await store.RecordLiftAsync(liftId, "alice", SubmittedAt.AddMinutes(5), Now, default));

        Assert.Empty(await store.ListActiveBlocksAsync(Now, default));
        var tally = await store.GetTallyAsync("alice", Window, default);
        Assert.Equal(0, tally.DistinctRecipients);
        Assert.Equal(0, tally.InvalidRecipients);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Block_CarriesTracesOfInvalidRecipients(string kind)
    {
        using var scope = new StoreScope(kind);
        var store = scope.Ca1(Options);
        var r1 = TestTraceParents.New();
        var r1Again = TestTraceParents.New();
        var r2 = TestTraceParents.New();
        var r2Older = TestTraceParents.New();
        var r3 = TestTraceParents.New();

        // r1 is submitted twice and keeps the later trace. The older r2 submission arrives last and changes nothing.
        // r4 and r5 never bounce.
        await store.RecordSubmissionAsync(Submission("alice", "r1") with { TraceParent = r1 }, Now, Decide, default);
        await store.RecordSubmissionAsync(Submission("alice", "r3") with { SubmittedAt = SubmittedAt.AddMinutes(1), TraceParent = r3 }, Now, Decide, default);
        await store.RecordSubmissionAsync(Submission("alice", "r2") with { SubmittedAt = SubmittedAt.AddMinutes(2), TraceParent = r2 }, Now, Decide, default);
        await store.RecordSubmissionAsync(Submission("alice", "r1") with { SubmittedAt = SubmittedAt.AddMinutes(3), TraceParent = r1Again }, Now, Decide, default);
        await store.RecordSubmissionAsync(Submission("alice", "r2") with { SubmittedAt = SubmittedAt.AddMinutes(1), TraceParent = r2Older }, Now, Decide, default);
        await store.RecordSubmissionAsync(Submission("alice", "r4", "r5") with { SubmittedAt = SubmittedAt.AddMinutes(4), TraceParent = TestTraceParents.New() }, Now, Decide, default);
        await store.RecordInvalidBounceAsync(Bounce("alice", "r1"), Now, Decide, default);
        await store.RecordInvalidBounceAsync(Bounce("alice", "r2"), Now, Decide, default);
        var blocked = await store.RecordInvalidBounceAsync(Bounce("alice", "r3"), Now, Decide, default);

        Assert.True(blocked.BlockIsNew);
        Assert.Equal(new[] { r1Again, r2, r3 }, blocked.Block!.SubmissionTraceParents);
    }

    /// <summary>
    /// Applies random submissions, bounces, lifts and redelivered events over two accounts, two windows and a few
    /// recipients and submission times. After each one, compares every window's counts with the rule of
    /// <see cref="Ca1Tally"/> applied to everything so far, and again after the older window is pruned.
    /// </summary>
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Counts_FollowSubmissionsBouncesAndLifts(string kind)
    {
        using var scope = new StoreScope(kind);
        var options = new Ca1Options { MinInvalidRecipients = 1000, MinInvalidShare = 1 };
        var store = scope.Ca1(options);
        var random = new Random(20261205);
        string[] accounts = ["alice", "bob"];
        DateTimeOffset[] windows = [Window.AddHours(-1), Window];
        var submitted = new Dictionary<(string Account, DateTimeOffset Window, string Hash), DateTimeOffset>();
        var bounced = new Dictionary<(string Account, DateTimeOffset Window, string Hash), DateTimeOffset>();
        var cutoffs = accounts.ToDictionary(account => account, _ => DateTimeOffset.MinValue);
        Func<Task>? last = null;
        for (var step = 0; step < 400; step++)
        {
            var account = accounts[random.Next(accounts.Length)];
            var window = windows[random.Next(windows.Length)];
            var key = (account, window, "r" + random.Next(8));
            var at = window.AddMinutes(random.Next(40));
            switch (random.Next(20))
            {
                case < 9:
                    var submission = new Ca1Submission(Guid.NewGuid(), account, window, at, [key.Item3]);
                    last = () => store.RecordSubmissionAsync(submission, Now, NeverBlock, default);
                    submitted[key] = Latest(submitted, key, at);
                    break;
                case < 17:
                    var bounce = new Ca1InvalidBounce(Guid.NewGuid(), account, window, at, key.Item3, key.Item3 + "@example.net", "550 5.1.1 User unknown", Now);
                    last = () => store.RecordInvalidBounceAsync(bounce, Now, NeverBlock, default);
                    bounced[key] = Latest(bounced, key, at);
                    break;
                case < 19:
                    var liftId = Guid.NewGuid();
                    last = () => store.RecordLiftAsync(liftId, account, at, Now, default);
                    cutoffs[account] = at > cutoffs[account] ? at : cutoffs[account];
                    break;
                default:
                    // The last event again, as a redelivery: it must change nothing.
                    break;
            }

            if (last is not null)
            {
                await last();
            }

            await AssertCountsAsync($"after step {step}");
        }

        await store.PruneAsync(Window, Window.AddDays(-90), default);
        foreach (var key in submitted.Keys.Concat(bounced.Keys).Where(key => key.Window < Window).ToList())
        {
            submitted.Remove(key);
            bounced.Remove(key);
        }

        await AssertCountsAsync("after the older window was pruned");

        async Task AssertCountsAsync(string when)
        {
            foreach (var account in accounts)
            {
                foreach (var window in windows)
                {
                    var cutoff = cutoffs[account];
                    var expectedDistinct = submitted.Count(pair => pair.Key.Account == account && pair.Key.Window == window && pair.Value >= cutoff);
                    var expectedInvalid = bounced.Count(pair => pair.Key.Account == account && pair.Key.Window == window && pair.Value >= cutoff
                        && submitted.TryGetValue(pair.Key, out var latest) && latest >= pair.Value);
                    var tally = await store.GetTallyAsync(account, window, default);
                    Assert.True(
                        (expectedDistinct, expectedInvalid) == (tally.DistinctRecipients, tally.InvalidRecipients),
                        $"{when}, {account} in the window of {window:HH:mm}: expected {expectedDistinct} distinct and {expectedInvalid} invalid, the store counts {tally.DistinctRecipients} and {tally.InvalidRecipients}.");
                }
            }
        }

        DetectorBlock? NeverBlock(Ca1Tally tally) => Ca1Decision.Decide(tally, options, Now);

        static DateTimeOffset Latest<TKey>(Dictionary<TKey, DateTimeOffset> times, TKey key, DateTimeOffset at)
            where TKey : notnull => times.TryGetValue(key, out var previous) && previous > at ? previous : at;
    }

    private static DetectorBlock? Decide(Ca1Tally tally) => Ca1Decision.Decide(tally, Options, Now);

    private static Ca1Submission Submission(string account, params string[] hashes) => new(Guid.NewGuid(), account, Window, SubmittedAt, hashes);

    private static Ca1InvalidBounce Bounce(string account, string hash) =>
        new(Guid.NewGuid(), account, Window, SubmittedAt, hash, hash + "@example.net", "550 5.1.1 User unknown", Now);
}
