using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Bo1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class Bo1RuleTests : IDisposable
{
    private const string ClientIp = "198.51.100.20";
    private const string Account = "carol";

    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Events.Start);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Escalates_On3rdDataRefusal()
    {
        var rule = CreateRule();

        var results = await RefuseAsync(rule, ClientIp, Account, TimeSpan.FromMinutes(10), 3);

        Assert.Empty(results[0]);
        Assert.Empty(results[1]);
        Assert.Equal(2, results[2].Count);
        var account = Assert.Single(results[2], block => block.AccountBlocked is not null).AccountBlocked!;
        var ip = Assert.Single(results[2], block => block.IpBlocked is not null).IpBlocked!;
        Assert.Equal(Account, account.Account);
        Assert.Equal(RuleCodes.Bo1, account.Code);
        Assert.Equal(BlockScopes.NullSender, account.Scope);
        Assert.Equal(_time.GetUtcNow().AddHours(24), account.ExpiresAt);
        Assert.Equal(ClientIp, ip.Ip);
        Assert.Equal(RuleCodes.Bo1, ip.Code);
        Assert.Equal(BlockScopes.NullSender, ip.Scope);
        Assert.Equal(_time.GetUtcNow().AddHours(24), ip.ExpiresAt);
        Assert.Equal(3, ip.Evidence.Samples.Count);
        Assert.Equal(3, ip.Evidence.Counts["refusedBounces"]);
    }

    [Fact]
    public async Task MailStageRefusals_DoNotCount()
    {
        var rule = CreateRule();

        for (var i = 0; i < 5; i++)
        {
            var atMailFrom = Events.BounceRefused(ClientIp, _time.GetUtcNow(), Account, stage: "mail");
            Assert.Empty(await rule.RecordSubmissionAsync(atMailFrom, default));
        }

        var data = await RefuseAsync(rule, ClientIp, Account, TimeSpan.FromMinutes(1), 2);

        Assert.All(data, Assert.Empty);
        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task OtherRefusalCodes_DoNotCount()
    {
        var rule = CreateRule();

        for (var i = 0; i < 5; i++)
        {
            var spam = Events.BounceRefused(ClientIp, _time.GetUtcNow(), Account) with { RefusalCode = RuleCodes.Ca2 };
            Assert.Empty(await rule.RecordSubmissionAsync(spam, default));
        }

        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task NoEscalation_SpreadOverWindow()
    {
        var rule = CreateRule();

        var results = await RefuseAsync(rule, ClientIp, Account, TimeSpan.FromMinutes(30), 3);

        Assert.All(results, Assert.Empty);
    }

    [Fact]
    public async Task WithoutAccount_BlocksIpOnly()
    {
        var rule = CreateRule();

        var results = await RefuseAsync(rule, ClientIp, account: null, TimeSpan.FromMinutes(1), 3);

        var block = Assert.Single(results[2]);
        Assert.Equal(ClientIp, block.IpBlocked?.Ip);
    }

    [Fact]
    public async Task SharedRange_BlocksAccountOnly()
    {
        var rule = CreateRule();

        var results = await RefuseAsync(rule, "100.64.7.7", Account, TimeSpan.FromMinutes(1), 3);

        var block = Assert.Single(results[2]);
        Assert.Equal(Account, block.AccountBlocked?.Account);
        Assert.Null(block.AccountBlocked?.OnIp);
    }

    [Fact]
    public async Task SharedRange_WithoutAccountNotCounted()
    {
        var rule = CreateRule();

        var results = await RefuseAsync(rule, "100.64.7.7", account: null, TimeSpan.FromMinutes(1), 5);

        Assert.All(results, Assert.Empty);
    }

    [Fact]
    public async Task Ipv6_GroupedBy64()
    {
        var rule = CreateRule();
        var addresses = new[] { "2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:7::3" };

        var results = new List<IReadOnlyList<DetectorBlock>>();
        foreach (var address in addresses)
        {
            results.Add(await rule.RecordSubmissionAsync(Events.BounceRefused(address, _time.GetUtcNow()), default));
        }

        Assert.Equal("2001:db8:5:6::/64", Assert.Single(results[2]).IpBlocked?.Ip);
    }

    [Fact]
    public async Task Expiry_AllowsNewBlock()
    {
        var rule = CreateRule();
        var first = await RefuseAsync(rule, ClientIp, account: null, TimeSpan.FromMinutes(1), 3);

        _time.Advance(TimeSpan.FromHours(12));
        var during = await RefuseAsync(rule, ClientIp, account: null, TimeSpan.FromMinutes(1), 3);
        _time.Advance(TimeSpan.FromHours(13));
        var after = await RefuseAsync(rule, ClientIp, account: null, TimeSpan.FromMinutes(1), 3);

        Assert.Single(first[2]);
        Assert.All(during, Assert.Empty);
        Assert.NotEqual(first[2][0].EventId, Assert.Single(after[2]).EventId);
    }

    [Fact]
    public async Task Lift_EndsBlock()
    {
        var rule = CreateRule();
        await RefuseAsync(rule, ClientIp, Account, TimeSpan.FromMinutes(1), 3);
        _time.Advance(TimeSpan.FromMinutes(1));

        await rule.RecordLiftAsync(Events.IpLift(ClientIp, RuleCodes.Bo1, _time.GetUtcNow()), default);
        await rule.RecordLiftAsync(Events.AccountLift(Account, RuleCodes.Bo1, _time.GetUtcNow()), default);
        var next = await rule.RecordSubmissionAsync(Events.BounceRefused(ClientIp, _time.GetUtcNow(), Account), default);

        Assert.Empty(await ActiveBlocksAsync());
        Assert.Empty(next);
    }

    [Fact]
    public async Task DuplicateEventId_CountsOnce()
    {
        var rule = CreateRule();
        var refusal = Events.BounceRefused(ClientIp, _time.GetUtcNow(), Account);

        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(await rule.RecordSubmissionAsync(refusal with { SubmittedAt = _time.GetUtcNow().AddMinutes(i) }, default));
        }

        Assert.Empty(await ActiveBlocksAsync());
    }

    [Fact]
    public async Task Restart_KeepsCountsAndBlock()
    {
        var rule = CreateRule();
        await RefuseAsync(rule, ClientIp, Account, TimeSpan.FromMinutes(1), 2);

        var restarted = CreateRule(_database.Reopen());
        var blocks = await restarted.RecordSubmissionAsync(Events.BounceRefused(ClientIp, _time.GetUtcNow(), Account), default);
        var active = await new SqliteBo1Store(_database.Reopen()).ListActiveBlocksAsync(_time.GetUtcNow(), default);

        Assert.Equal(2, blocks.Count);
        Assert.Equal(2, active.Count);
    }

    private Bo1Rule CreateRule(SqliteDatabase? database = null) =>
        new(new SqliteBo1Store(database ?? _database.Database), Options.Create(new Bo1Options()), _time, NullLogger<Bo1Rule>.Instance);

    /// <summary>
    /// Records <paramref name="count"/> bounce messages refused at end of DATA, <paramref name="step"/> apart, moving
    /// the clock with them. Marks each returned block published, as the consumer does.
    /// </summary>
    private async Task<List<IReadOnlyList<DetectorBlock>>> RefuseAsync(Bo1Rule rule, string clientIp, string? account, TimeSpan step, int count)
    {
        var results = new List<IReadOnlyList<DetectorBlock>>();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _time.Advance(step);
            }

            var blocks = await rule.RecordSubmissionAsync(Events.BounceRefused(clientIp, _time.GetUtcNow(), account), default);
            foreach (var block in blocks)
            {
                await rule.MarkPublishedAsync(block, default);
            }

            results.Add(blocks);
        }

        return results;
    }

    private Task<IReadOnlyList<DetectorBlock>> ActiveBlocksAsync() =>
        new SqliteBo1Store(_database.Database).ListActiveBlocksAsync(_time.GetUtcNow(), default);
}
