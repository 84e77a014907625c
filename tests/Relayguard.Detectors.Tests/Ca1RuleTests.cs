using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Ca1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class Ca1RuleTests : IDisposable
{
    private const string Account = "alice@example.com";

    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Events.Start.AddMinutes(50));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Blocks_At25InvalidAnd20Percent()
    {
        var rule = CreateRule();
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, Events.Start.AddMinutes(5)), default);

        var blocks = await BounceAsync(rule, 0, 25, Events.Start.AddMinutes(5));

        Assert.All(blocks.Take(24), Assert.Null);
        var blocked = blocks[24]?.AccountBlocked;
        Assert.NotNull(blocked);
        Assert.Equal(Account, blocked.Account);
        Assert.Null(blocked.OnIp);
        Assert.Equal(RuleCodes.Ca1, blocked.Code);
        Assert.Equal(BlockScopes.All, blocked.Scope);
        Assert.Equal(Ca1Decision.Reason, blocked.Reason);
        Assert.Null(blocked.ExpiresAt);
        Assert.Equal(_time.GetUtcNow(), blocked.BlockedAt);
        Assert.Equal(25, blocked.Evidence.Counts["invalidRecipients"]);
        Assert.Equal(125, blocked.Evidence.Counts["distinctRecipients"]);
        Assert.Equal(0.2, blocked.Evidence.Counts["invalidShare"]);
        Assert.Equal(5, blocked.Evidence.Samples.Count);
        Assert.All(blocked.Evidence.Samples, sample => Assert.Equal("550 5.1.1 User unknown", sample.Detail));
        Assert.Contains("25 of 125", blocked.Evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoBlock_At24Invalid()
    {
        var rule = CreateRule();
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 120, Events.Start.AddMinutes(5)), default);

        var blocks = await BounceAsync(rule, 0, 24, Events.Start.AddMinutes(5));

        Assert.All(blocks, Assert.Null);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task NoBlock_At25InvalidOf200()
    {
        var rule = CreateRule();
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 200, Events.Start.AddMinutes(5)), default);

        var blocks = await BounceAsync(rule, 0, 25, Events.Start.AddMinutes(5));

        Assert.All(blocks, Assert.Null);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task OtherBounces_DoNotCount()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 100, submittedAt), default);

        for (var i = 0; i < 30; i++)
        {
            Assert.Null(await rule.RecordBounceAsync(Events.Bounce(Account, i, submittedAt, addressInvalid: false), default));
        }

        for (var i = 30; i < 60; i++)
        {
            Assert.Null(await rule.RecordBounceAsync(Events.Bounce(Account, i, submittedAt, permanent: false), default));
        }

        var tally = await TallyAsync(submittedAt);
        Assert.Equal(0, tally.InvalidRecipients);
        Assert.Equal(100, tally.DistinctRecipients);
    }

    [Fact]
    public async Task BounceBeforeLift_DoesNotCount()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        await rule.RecordLiftAsync(Events.AccountLift(Account, RuleCodes.Ca1, Events.Start.AddMinutes(30)), default);

        var blocks = await BounceAsync(rule, 0, 25, submittedAt);

        Assert.All(blocks, Assert.Null);
        Assert.Equal(0, (await TallyAsync(submittedAt)).InvalidRecipients);
    }

    [Fact]
    public async Task Lift_NewMailBlocksAgain()
    {
        var rule = CreateRule();
        var before = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, before), default);
        var first = (await BounceAsync(rule, 0, 25, before))[24];
        Assert.NotNull(first);
        await rule.MarkPublishedAsync(first, default);

        await rule.RecordLiftAsync(Events.AccountLift(Account, RuleCodes.Ca1, Events.Start.AddMinutes(30)), default);
        Assert.Empty(await ActiveBlocksAsync());
        Assert.All(await BounceAsync(rule, 25, 25, before), Assert.Null);

        var after = Events.Start.AddMinutes(40);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 100, after, firstRecipient: 1000), default);
        var second = (await BounceAsync(rule, 1000, 25, after))[24];

        Assert.NotNull(second);
        Assert.NotEqual(first.EventId, second.EventId);
        Assert.Equal(100, second.AccountBlocked!.Evidence.Counts["distinctRecipients"]);
    }

    [Fact]
    public async Task LiftOfOtherCode_IsIgnored()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        await rule.RecordLiftAsync(Events.AccountLift(Account, RuleCodes.Ca2, Events.Start.AddMinutes(30)), default);

        var blocks = await BounceAsync(rule, 0, 25, submittedAt);

        Assert.NotNull(blocks[24]);
    }

    [Fact]
    public async Task DuplicateEventId_CountsOnce()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        var submission = Events.Relayed(Account, 125, submittedAt);
        await rule.RecordSubmissionAsync(submission, default);
        var bounces = Enumerable.Range(0, 24).Select(i => Events.Bounce(Account, i, submittedAt)).ToList();
        foreach (var bounce in bounces)
        {
            await rule.RecordBounceAsync(bounce, default);
        }

        // Redeliveries carry other recipients here, so that only the event id can keep them from counting.
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 10, submittedAt, firstRecipient: 500) with { EventId = submission.EventId }, default);
        var redelivered = await rule.RecordBounceAsync(Events.Bounce(Account, 24, submittedAt) with { EventId = bounces[0].EventId }, default);

        var tally = await TallyAsync(submittedAt);
        Assert.Null(redelivered);
        Assert.Equal(24, tally.InvalidRecipients);
        Assert.Equal(125, tally.DistinctRecipients);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task BounceBeforeSubmission_CountsOnceSubmitted()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);

        var early = await BounceAsync(rule, 0, 25, submittedAt);
        Assert.All(early, Assert.Null);
        Assert.Equal(0, (await TallyAsync(submittedAt)).InvalidRecipients);

        var block = await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);

        Assert.NotNull(block);
        Assert.Equal(125, block.AccountBlocked!.Evidence.Counts["distinctRecipients"]);
    }

    [Fact]
    public async Task BounceBeforeLargeSubmission_DoesNotBlock()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await BounceAsync(rule, 0, 25, submittedAt);

        var block = await rule.RecordSubmissionAsync(Events.Relayed(Account, 200, submittedAt), default);

        Assert.Null(block);
    }

    [Fact]
    public async Task Windows_AreSeparate()
    {
        var rule = CreateRule();
        var first = Events.Start.AddMinutes(5);
        var second = Events.Start.AddMinutes(65);
        _time.SetUtcNow(Events.Start.AddMinutes(70));
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 60, first), default);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 60, second, firstRecipient: 100), default);

        var blocks = await BounceAsync(rule, 0, 15, first);
        blocks.AddRange(await BounceAsync(rule, 100, 15, second));

        Assert.All(blocks, Assert.Null);
        Assert.Equal(15, (await TallyAsync(first)).InvalidRecipients);
        Assert.Equal(15, (await TallyAsync(second)).InvalidRecipients);
    }

    [Fact]
    public async Task Restart_KeepsCountsAndBlock()
    {
        var submittedAt = Events.Start.AddMinutes(5);
        var rule = CreateRule();
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        await BounceAsync(rule, 0, 24, submittedAt);

        var restarted = CreateRule(_database.Reopen());
        Assert.Equal(24, (await TallyAsync(submittedAt, _database.Reopen())).InvalidRecipients);
        var block = await restarted.RecordBounceAsync(Events.Bounce(Account, 24, submittedAt), default);
        Assert.NotNull(block);
        await restarted.MarkPublishedAsync(block, default);

        var again = CreateRule(_database.Reopen());
        var active = await new SqliteCa1Store(_database.Reopen()).ListActiveBlocksAsync(_time.GetUtcNow(), default);
        Assert.Equal(block.EventId, Assert.Single(active).EventId);
        Assert.Null(await again.RecordBounceAsync(Events.Bounce(Account, 25, submittedAt), default));
    }

    [Fact]
    public async Task ConcurrentReplicas_MakeOneBlock()
    {
        // Three rules on three handles of one file represent three processes sharing the store.
        var replicas = Enumerable.Range(0, 3).Select(_ => CreateRule(_database.Reopen())).ToList();
        var submittedAt = Events.Start.AddMinutes(5);
        await replicas[0].RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        var bounces = Enumerable.Range(0, 60).Select(i => Events.Bounce(Account, i, submittedAt)).ToList();

        var blocks = await Task.WhenAll(bounces.Select((bounce, i) =>
            Task.Run(() => replicas[i % replicas.Count].RecordBounceAsync(bounce, default))));

        Assert.Single(blocks, block => block is not null);
        Assert.Single(await ActiveBlocksAsync());
        Assert.Equal(60, (await TallyAsync(submittedAt)).InvalidRecipients);
    }

    [Fact]
    public async Task Redelivery_PublishesStoredBlockAgain()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        await BounceAsync(rule, 0, 24, submittedAt);
        var crossing = Events.Bounce(Account, 24, submittedAt);

        var first = await rule.RecordBounceAsync(crossing, default);
        var unpublished = await rule.RecordBounceAsync(crossing, default);
        await rule.MarkPublishedAsync(unpublished!, default);
        var published = await rule.RecordBounceAsync(crossing, default);

        Assert.NotNull(first);
        Assert.NotNull(unpublished);
        Assert.Equal(first.EventId, unpublished.EventId);
        Assert.Equal(first.AccountBlocked!.Evidence.Summary, unpublished.AccountBlocked!.Evidence.Summary);
        Assert.Equal(first.AccountBlocked.Evidence.Counts, unpublished.AccountBlocked.Evidence.Counts);
        Assert.Equal(first.AccountBlocked.Evidence.Samples, unpublished.AccountBlocked.Evidence.Samples);
        Assert.Null(published);
    }

    [Fact]
    public async Task ActiveBlock_NoSecondBlock()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        var blocks = await BounceAsync(rule, 0, 50, submittedAt);

        Assert.Single(blocks, block => block is not null);
        Assert.Single(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task StaleUnpublishedBlock_IsPublished()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        var block = (await BounceAsync(rule, 0, 25, submittedAt))[24];

        var soon = await rule.RecordBounceAsync(Events.Bounce(Account, 25, submittedAt), default);
        _time.Advance(SqliteBlockLedger.UnpublishedGracePeriod + TimeSpan.FromSeconds(1));
        var late = await rule.RecordBounceAsync(Events.Bounce(Account, 26, submittedAt), default);

        Assert.NotNull(block);
        Assert.Null(soon);
        Assert.Equal(block.EventId, late?.EventId);
    }

    [Fact]
    public async Task Prune_DeletesOldWindows()
    {
        var rule = CreateRule();
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 10, submittedAt), default);
        await BounceAsync(rule, 0, 5, submittedAt);

        _time.Advance(TimeSpan.FromDays(6));
        var early = await rule.PruneAsync(default);
        _time.Advance(TimeSpan.FromDays(2));
        var late = await rule.PruneAsync(default);

        Assert.Equal(0, early);
        Assert.True(late >= 10, $"pruned {late} rows, expected at least the 10 recipient rows");
        Assert.Equal(0, (await TallyAsync(submittedAt)).DistinctRecipients);
    }

    [Fact]
    public async Task Warning_CheckedAfterBlock_NotIssued()
    {
        // Events of one account are consumed concurrently: the 24th bounce is counted, the 25th blocks, and only then
        // does the 24th's consumer check for a warning.
        var (rule, warning, submittedAt, belowBlock) = await CountJustBelowTheBlockAsync();
        var blocking = await rule.CountBounceAsync(Events.Bounce(Account, 24, submittedAt), default);
        Assert.NotNull(blocking?.Block);

        warning.RecordBlock(blocking);
        var late = await warning.CheckAsync(belowBlock, Account, submittedAt, default);

        Assert.Null(late);
    }

    [Fact]
    public async Task Warning_BelowTheBlock_Issued()
    {
        var (_, warning, submittedAt, belowBlock) = await CountJustBelowTheBlockAsync();

        var issued = await warning.CheckAsync(belowBlock, Account, submittedAt, default);

        Assert.NotNull(issued);
        Assert.Equal(24, issued.InvalidRecipients);
    }

    [Fact]
    public async Task Consume_OneEventOfAnAccountAtATime()
    {
        // The warning race needs two events of one account inside ConsumeAsync at once; another account must not wait.
        var (_, warning, submittedAt, _) = await CountJustBelowTheBlockAsync();
        var context = CancellationOnlyContext.Create();
        var firstEntered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var secondEntered = false;
        var otherEntered = false;

        var first = warning.ConsumeAsync(context, Account, submittedAt, async _ =>
        {
            firstEntered.SetResult();
            await release.Task;
            return null;
        });
        await firstEntered.Task;
        var second = warning.ConsumeAsync(context, Account, submittedAt, _ =>
        {
            secondEntered = true;
            return Task.FromResult<Ca1Result?>(null);
        });
        await warning.ConsumeAsync(context, "bob@example.com", submittedAt, _ =>
        {
            otherEntered = true;
            return Task.FromResult<Ca1Result?>(null);
        });

        Assert.True(otherEntered);
        Assert.False(secondEntered);
        release.SetResult();
        await Task.WhenAll(first, second);
        Assert.True(secondEntered);
    }

    [Fact]
    public async Task WindowStart_IsAlignedToWindow()
    {
        var rule = CreateRule();

        var start = rule.WindowStartOf(new DateTimeOffset(2025, 3, 3, 10, 59, 59, TimeSpan.FromHours(2)));

        Assert.Equal(new DateTimeOffset(2025, 3, 3, 8, 0, 0, TimeSpan.Zero), start);
    }

    /// <summary>Counts 125 recipients and 24 invalid ones, one short of the block, and returns the 24th's result.</summary>
    private async Task<(Ca1Rule Rule, Ca1EarlyWarning Warning, DateTimeOffset SubmittedAt, Ca1Result? BelowBlock)> CountJustBelowTheBlockAsync()
    {
        var rule = CreateRule();
        var warning = new Ca1EarlyWarning(new SqliteCa1Store(_database.Database), new SqliteCa1WarningStore(_database.Database), rule, Options.Create(new Ca1Options()), _time, NullLogger<Ca1EarlyWarning>.Instance);
        var submittedAt = Events.Start.AddMinutes(5);
        await rule.RecordSubmissionAsync(Events.Relayed(Account, 125, submittedAt), default);
        await BounceAsync(rule, 0, 23, submittedAt);
        var belowBlock = await rule.CountBounceAsync(Events.Bounce(Account, 23, submittedAt), default);
        return (rule, warning, submittedAt, belowBlock);
    }

    private Ca1Rule CreateRule(SqliteDatabase? database = null) =>
        new(new SqliteCa1Store(database ?? _database.Database), Options.Create(new Ca1Options()), _time, NullLogger<Ca1Rule>.Instance);

    private async Task<List<DetectorBlock?>> BounceAsync(Ca1Rule rule, int firstRecipient, int count, DateTimeOffset submittedAt)
    {
        var blocks = new List<DetectorBlock?>();
        for (var i = firstRecipient; i < firstRecipient + count; i++)
        {
            blocks.Add(await rule.RecordBounceAsync(Events.Bounce(Account, i, submittedAt), default));
        }

        return blocks;
    }

    private Task<Ca1Tally> TallyAsync(DateTimeOffset submittedAt, SqliteDatabase? database = null) =>
        new SqliteCa1Store(database ?? _database.Database).GetTallyAsync(Account, CreateRule().WindowStartOf(submittedAt), default);

    private Task<IReadOnlyList<DetectorBlock>> ActiveBlocksAsync() =>
        new SqliteCa1Store(_database.Database).ListActiveBlocksAsync(_time.GetUtcNow(), default);

    /// <summary>A consume context that has only a cancellation token: enough for events whose count decides nothing.</summary>
    public class CancellationOnlyContext : System.Reflection.DispatchProxy
    {
        public static MassTransit.ConsumeContext Create() => Create<MassTransit.ConsumeContext, CancellationOnlyContext>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_CancellationToken" ? CancellationToken.None : throw new NotSupportedException(targetMethod?.Name);
    }
}
