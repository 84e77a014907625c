using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Ca2;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class Ca2RuleTests : IDisposable
{
    private const string ClientIp = "203.0.113.7";

    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Events.Start);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Blocks_At5thRejectWithin10Minutes()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(2), 5);

        Assert.All(blocks.Take(4), Assert.Null);
        var blocked = blocks[4]?.IpBlocked;
        Assert.NotNull(blocked);
        Assert.Equal(ClientIp, blocked.Ip);
        Assert.Equal(RuleCodes.Ca2, blocked.Code);
        Assert.Equal(BlockScopes.All, blocked.Scope);
        Assert.Equal(Ca2Decision.Reason, blocked.Reason);
        Assert.Equal(_time.GetUtcNow(), blocked.BlockedAt);
        Assert.Equal(_time.GetUtcNow().AddHours(24), blocked.ExpiresAt);
        Assert.Equal(5, blocked.Evidence.Counts["rejectedMessages"]);
        Assert.Equal(5, blocked.Evidence.Samples.Count);
        Assert.All(blocked.Evidence.Samples, sample => Assert.StartsWith("msg-", sample.Value, StringComparison.Ordinal));
        Assert.All(blocked.Evidence.Samples, sample => Assert.Equal("score 18.2", sample.Detail));
    }

    [Fact]
    public async Task NoBlock_SpreadOver11Minutes()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(2.75), 5);

        Assert.All(blocks, Assert.Null);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task OutOfOrderArrival_Blocks()
    {
        var rule = CreateRule();
        var times = new[] { 8, 0, 6, 2, 4 }.Select(minute => Events.Start.AddMinutes(minute)).ToList();
        _time.SetUtcNow(Events.Start.AddMinutes(9));

        var blocks = new List<DetectorBlock?>();
        foreach (var submittedAt in times)
        {
            blocks.Add(await rule.RecordSubmissionAsync(Events.SpamRejected(ClientIp, submittedAt), default));
        }

        Assert.All(blocks.Take(4), Assert.Null);
        Assert.NotNull(blocks[4]);
    }

    [Fact]
    public async Task OtherSpamActions_DoNotCount()
    {
        var rule = CreateRule();

        for (var i = 0; i < 6; i++)
        {
            var softReject = Events.SpamRejected(ClientIp, Events.Start.AddMinutes(i)) with { SpamAction = SpamActions.SoftReject };
            Assert.Null(await rule.RecordSubmissionAsync(softReject, default));
        }

        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task Ipv4Mapped_CountedAsIpv4()
    {
        var rule = CreateRule();
        var addresses = new[] { "::ffff:203.0.113.7", ClientIp, "::ffff:203.0.113.7", ClientIp, "::ffff:203.0.113.7" };

        var blocks = new List<DetectorBlock?>();
        for (var i = 0; i < addresses.Length; i++)
        {
            blocks.Add(await rule.RecordSubmissionAsync(Events.SpamRejected(addresses[i], Events.Start.AddMinutes(i)), default));
        }

        Assert.All(blocks.Take(4), Assert.Null);
        Assert.Equal(ClientIp, blocks[4]?.IpBlocked?.Ip);
    }

    [Fact]
    public async Task Ipv6_GroupedBy64()
    {
        var rule = CreateRule();
        var addresses = new[] { "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:3::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2:a:b:c:d", "2001:db8:1:2::1" };

        var blocks = new List<DetectorBlock?>();
        for (var i = 0; i < addresses.Length; i++)
        {
            blocks.Add(await rule.RecordSubmissionAsync(Events.SpamRejected(addresses[i], Events.Start.AddMinutes(i)), default));
        }

        Assert.All(blocks.Take(5), Assert.Null);
        Assert.Equal("2001:db8:1:2::/64", blocks[5]?.IpBlocked?.Ip);
    }

    [Fact]
    public async Task SharedRange_BlocksAccountOnAddress()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 5, account: "bob");

        var blocked = blocks[4]?.AccountBlocked;
        Assert.NotNull(blocked);
        Assert.Equal("bob", blocked.Account);
        Assert.Equal("100.64.1.2", blocked.OnIp);
        Assert.Equal(RuleCodes.Ca2, blocked.Code);
        Assert.Equal(_time.GetUtcNow().AddHours(24), blocked.ExpiresAt);
        Assert.DoesNotContain(await ActiveBlocksAsync(), block => block.IpBlocked is not null);
    }

    [Fact]
    public async Task SharedRange_AccountsCountedApart()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 3, account: "bob");
        blocks.AddRange(await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 3, account: "carol"));

        Assert.All(blocks, Assert.Null);
    }

    [Fact]
    public async Task SharedRange_WithoutAccountNotCounted()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 10);

        Assert.All(blocks, Assert.Null);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task ConfiguredSharedRanges_ReplaceDefault()
    {
        var rule = CreateRule(new Ca2Options { SharedRanges = ["198.51.100.0/24"] });

        var cgnat = await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 5, account: "bob");
        var shared = await RejectAsync(rule, "198.51.100.9", TimeSpan.FromMinutes(1), 5, account: "bob");

        Assert.Equal("100.64.1.2", cgnat[4]?.IpBlocked?.Ip);
        Assert.Equal("198.51.100.9", shared[4]?.AccountBlocked?.OnIp);
    }

    [Fact]
    public async Task ActiveBlock_NoSecondBlock()
    {
        var rule = CreateRule();

        var blocks = await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 12);

        Assert.Single(blocks, block => block is not null);
        Assert.Single(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task Expiry_AllowsNewBlock()
    {
        var rule = CreateRule();
        var first = (await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 5))[4];
        Assert.NotNull(first);

        _time.Advance(TimeSpan.FromHours(23));
        var during = await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 5);
        _time.Advance(TimeSpan.FromHours(1));
        var activeAtExpiry = await ActiveBlocksAsync();
        _time.Advance(TimeSpan.FromMinutes(30));
        var after = await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 5);

        Assert.All(during, Assert.Null);
        Assert.Empty(activeAtExpiry);
        Assert.All(after.Take(4), Assert.Null);
        Assert.NotNull(after[4]);
        Assert.NotEqual(first.EventId, after[4]!.EventId);
    }

    [Fact]
    public async Task Lift_EndsBlockAndCount()
    {
        var rule = CreateRule();
        var block = (await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 5))[4];
        Assert.NotNull(block);

        _time.Advance(TimeSpan.FromMinutes(1));
        await rule.RecordLiftAsync(Events.IpLift(ClientIp, RuleCodes.Ca2, _time.GetUtcNow()), default);
        var afterLift = await RejectAsync(rule, ClientIp, TimeSpan.FromSeconds(10), 4);

        Assert.Empty(await ActiveBlocksAsync());
        Assert.All(afterLift, Assert.Null);
    }

    [Fact]
    public async Task AccountLift_EndsBlockOnSharedAddress()
    {
        var rule = CreateRule();
        var block = (await RejectAsync(rule, "100.64.1.2", TimeSpan.FromMinutes(1), 5, account: "bob"))[4];
        Assert.NotNull(block);

        await rule.RecordLiftAsync(Events.AccountLift("bob", RuleCodes.Ca2, _time.GetUtcNow(), onIp: "100.64.1.2"), default);

        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task DuplicateEventId_CountsOnce()
    {
        var rule = CreateRule();
        var reject = Events.SpamRejected(ClientIp, Events.Start);

        var blocks = new List<DetectorBlock?>();
        for (var i = 0; i < 5; i++)
        {
            blocks.Add(await rule.RecordSubmissionAsync(reject with { SubmittedAt = Events.Start.AddMinutes(i) }, default));
        }

        Assert.All(blocks, Assert.Null);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task Restart_KeepsCountsAndBlock()
    {
        var rule = CreateRule();
        await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 4);

        var restarted = CreateRule(database: _database.Reopen());
        var block = await restarted.RecordSubmissionAsync(Events.SpamRejected(ClientIp, _time.GetUtcNow()), default);
        var active = await new SqliteCa2Store(_database.Reopen()).ListActiveBlocksAsync(_time.GetUtcNow(), default);

        Assert.NotNull(block);
        Assert.Equal(block.EventId, Assert.Single(active).EventId);
    }

    [Fact]
    public async Task ConcurrentReplicas_MakeOneBlock()
    {
        // Three rules on three handles of one file represent three processes sharing the store.
        var replicas = Enumerable.Range(0, 3).Select(_ => CreateRule(database: _database.Reopen())).ToList();
        var rejects = Enumerable.Range(0, 30).Select(i => Events.SpamRejected(ClientIp, Events.Start.AddSeconds(i * 10))).ToList();
        _time.SetUtcNow(Events.Start.AddMinutes(5));

        var blocks = await Task.WhenAll(rejects.Select((reject, i) =>
            Task.Run(() => replicas[i % replicas.Count].RecordSubmissionAsync(reject, default))));

        Assert.Single(blocks, block => block is not null);
        Assert.Single(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task Prune_DeletesOldRejects()
    {
        var rule = CreateRule();
        await RejectAsync(rule, ClientIp, TimeSpan.FromMinutes(1), 3);

        _time.Advance(TimeSpan.FromDays(2));
        var deleted = await rule.PruneAsync(default);

        // 3 rejects and their 3 event marks.
        Assert.Equal(6, deleted);
    }

    [Fact]
    public void FindRun_NeedsSpanBelowWindow()
    {
        var times = Enumerable.Range(0, 5).Select(i => Events.Start.AddMinutes(i * 2.5)).ToList();

        Assert.Equal(-1, TimeRuns.FindRun(times, 5, TimeSpan.FromMinutes(10)));
        Assert.Equal(0, TimeRuns.FindRun(times, 5, TimeSpan.FromMinutes(10.5)));
        Assert.Equal(0, TimeRuns.FindRun(times, 4, TimeSpan.FromMinutes(10)));
    }

    private Ca2Rule CreateRule(Ca2Options? options = null, SqliteDatabase? database = null) =>
        new(new SqliteCa2Store(database ?? _database.Database), Options.Create(options ?? new Ca2Options()), _time, NullLogger<Ca2Rule>.Instance);

    /// <summary>
    /// Records <paramref name="count"/> rejected messages, <paramref name="step"/> apart, moving the clock with them.
    /// Marks each returned block published, as the consumer does.
    /// </summary>
    private async Task<List<DetectorBlock?>> RejectAsync(Ca2Rule rule, string clientIp, TimeSpan step, int count, string? account = null)
    {
        var blocks = new List<DetectorBlock?>();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _time.Advance(step);
            }

            var block = await rule.RecordSubmissionAsync(Events.SpamRejected(clientIp, _time.GetUtcNow(), account), default);
            if (block is not null)
            {
                await rule.MarkPublishedAsync(block, default);
            }

            blocks.Add(block);
        }

        return blocks;
    }

    private Task<IReadOnlyList<DetectorBlock>> ActiveBlocksAsync() =>
        new SqliteCa2Store(_database.Database).ListActiveBlocksAsync(_time.GetUtcNow(), default);
}
