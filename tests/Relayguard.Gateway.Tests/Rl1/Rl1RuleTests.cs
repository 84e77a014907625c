using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Rl1;

public sealed class Rl1RuleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database = new(Path.Combine(Directory.CreateTempSubdirectory("rl1-test-").FullName, "test.db"));

    [Fact]
    public async Task Messages_BelowLimit_NoBlock()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 3 });

        var blocks = await SendAsync(rule, "alice", 2);

        Assert.All(blocks, Assert.Null);
    }

    [Fact]
    public async Task Messages_AtLimit_BlockedForHour()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 3 });
        var first = _time.GetUtcNow();

        var blocks = await SendAsync(rule, "alice", 3, TimeSpan.FromMinutes(10));

        var block = Assert.IsType<DetectorBlock>(blocks[^1]);
        Assert.Equal(RuleCodes.Rl1, block.Code);
        Assert.Equal("alice", block.AccountBlocked!.Account);
        Assert.Equal(first + TimeSpan.FromHours(1), block.ExpiresAt);
    }

    [Fact]
    public async Task Recipients_AtLimit_Blocks()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 0, RecipientsPerHour = 10 });

        var blocks = await SendAsync(rule, "alice", 2, recipients: 5);

        Assert.NotNull(blocks[^1]);
    }

    [Fact]
    public async Task BothLimitsZero_NeverBlocks()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 0, RecipientsPerHour = 0 });

        var blocks = await SendAsync(rule, "alice", 50, recipients: 100);

        Assert.All(blocks, Assert.Null);
    }

    [Fact]
    public async Task AccountOverride_RaisesLimit()
    {
        var options = new Rl1Options { MessagesPerHour = 2 };
        options.Accounts["bulk"] = new Rl1AccountLimits { MessagesPerHour = 10 };
        var rule = NewRule(options);

        var bulk = await SendAsync(rule, "bulk", 5);
        var alice = await SendAsync(rule, "alice", 2);

        Assert.All(bulk, Assert.Null);
        Assert.NotNull(alice[^1]);
    }

    [Fact]
    public async Task Messages_OlderThanHour_NotCounted()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 3 });

        var blocks = await SendAsync(rule, "alice", 6, TimeSpan.FromMinutes(31));

        Assert.All(blocks, Assert.Null);
    }

    [Fact]
    public async Task TrustedWithoutAccount_CountedPerAddress()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 2 });

        var blocks = await SendAsync(rule, null, 2, clientIp: "2001:db8:1:2::5");

        var block = Assert.IsType<DetectorBlock>(blocks[^1]);
        Assert.Equal("2001:db8:1:2::/64", block.IpBlocked!.Ip);
    }

    [Fact]
    public async Task RefusedSubmission_NotCounted()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 1 });

        var block = await rule.RecordSubmissionAsync(Submission("alice", 1, "198.51.100.7") with { Outcome = SubmissionOutcomes.Refused }, CancellationToken.None);

        Assert.Null(block);
    }

    [Fact]
    public async Task Event_Redelivered_CountedOnce()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 2 });
        var message = Submission("alice", 1, "198.51.100.7");

        await rule.RecordSubmissionAsync(message, CancellationToken.None);
        var again = await rule.RecordSubmissionAsync(message, CancellationToken.None);

        Assert.Null(again);
    }

    [Fact]
    public async Task Lift_EarlierMessagesNoLongerCount()
    {
        var rule = NewRule(new Rl1Options { MessagesPerHour = 2 });
        await SendAsync(rule, "alice", 2);
        _time.Advance(TimeSpan.FromMinutes(1));
        await rule.RecordLiftAsync(new AccountUnblocked { EventId = Guid.NewGuid(), Account = "alice", Codes = [RuleCodes.Rl1], Operator = "op", Reason = "test", UnblockedAt = _time.GetUtcNow() }, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        var after = await SendAsync(rule, "alice", 1);

        Assert.Null(after[0]);
    }

    [Fact]
    public void BlockedUntil_Recipients_UntilEnoughLeaveWindow()
    {
        var start = _time.GetUtcNow();
        var subject = BlockSubject.ForAccount("alice");
        var recent = new[]
        {
            new Rl1Submission(Guid.NewGuid(), subject, "m1", 6, start),
            new Rl1Submission(Guid.NewGuid(), subject, "m2", 3, start.AddMinutes(5)),
            new Rl1Submission(Guid.NewGuid(), subject, "m3", 2, start.AddMinutes(10)),
        };

        var until = Rl1Decision.BlockedUntil(recent, new Rl1Limits(0, 10));

        Assert.Equal(start.AddHours(1), until);
    }

    [Fact]
    public void Validator_NegativeLimit_NamesKey()
    {
        var result = new Rl1OptionsValidator().Validate(null, new Rl1Options { RecipientsPerHour = -5 });

        Assert.False(result.Succeeded);
        Assert.Contains("Rules:RL1:RecipientsPerHour", result.FailureMessage);
    }

    private Rl1Rule NewRule(Rl1Options options) =>
        new(new SqliteRl1Store(_database), Options.Create(options), _time, NullLogger<Rl1Rule>.Instance);

    private async Task<List<DetectorBlock?>> SendAsync(Rl1Rule rule, string? account, int count, TimeSpan? gap = null, int recipients = 1, string clientIp = "198.51.100.7")
    {
        var blocks = new List<DetectorBlock?>();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _time.Advance(gap ?? TimeSpan.FromSeconds(10));
            }

            blocks.Add(await rule.RecordSubmissionAsync(Submission(account, recipients, clientIp), CancellationToken.None));
        }

        return blocks;
    }

    private MessageSubmitted Submission(string? account, int recipients, string clientIp) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = Guid.NewGuid().ToString("N"),
        SubmittedAt = _time.GetUtcNow(),
        Account = account,
        ClientIp = clientIp,
        NullSender = false,
        RecipientHashes = [],
        RecipientCount = recipients,
        Size = 100,
        SpamAction = SpamActions.NotScanned,
        Outcome = SubmissionOutcomes.Relayed,
    };
}
