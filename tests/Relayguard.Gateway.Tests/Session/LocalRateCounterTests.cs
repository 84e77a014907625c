using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Session;

namespace Relayguard.Gateway.Tests.Session;

public sealed class LocalRateCounterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 30, TimeSpan.Zero));

    [Fact]
    public void Add_CountsMessagesAndRecipients()
    {
        var counter = NewCounter();
        counter.Add("alice", 3);
        counter.Add("alice", 2);
        counter.Add("bob", 1);

        Assert.Equal((2, 5), counter.Count("alice"));
        Assert.Equal((2, 5), counter.Count("ALICE"));
        Assert.Equal((1, 1), counter.Count("bob"));
    }

    [Fact]
    public void Restore_CountsLastHourAfterLift()
    {
        var counter = NewCounter();
        var now = _time.GetUtcNow();
        var relayed = new[]
        {
            new RelayedMessage("alice", now - TimeSpan.FromMinutes(62), 9),
            new RelayedMessage("alice", now - TimeSpan.FromMinutes(30), 2),
            new RelayedMessage("alice", now - TimeSpan.FromMinutes(5), 3),
            new RelayedMessage("bob", now - TimeSpan.FromMinutes(40), 1),
            new RelayedMessage("bob", now - TimeSpan.FromMinutes(10), 4),
        };

        counter.Restore(relayed, new Dictionary<string, DateTimeOffset> { ["bob"] = now - TimeSpan.FromMinutes(20) });

        Assert.Equal((2, 5), counter.Count("alice"));
        Assert.Equal((1, 4), counter.Count("bob"));
    }

    [Fact]
    public void Count_WithinHour_Kept()
    {
        var counter = NewCounter();
        counter.Add("alice", 1);

        _time.Advance(TimeSpan.FromMinutes(59));

        Assert.Equal((1, 1), counter.Count("alice"));
    }

    [Fact]
    public void Count_AfterHourAndMinute_Dropped()
    {
        var counter = NewCounter();
        counter.Add("alice", 1);

        _time.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal((0, 0), counter.Count("alice"));
    }

    [Fact]
    public void Count_ExactlyOneHour_StillCounted()
    {
        var counter = NewCounter();
        counter.Add("alice", 1);

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal((1, 1), counter.Count("alice"));
    }

    [Fact]
    public void Reset_ForgetsSubject()
    {
        var counter = NewCounter();
        counter.Add("alice", 1);

        Assert.True(counter.Reset("alice"));
        Assert.Equal((0, 0), counter.Count("alice"));
    }

    [Fact]
    public void LimitsFor_AccountOverride_ReplacesDefaults()
    {
        var options = new RateLimitOptions
        {
            Accounts = new Dictionary<string, RateLimitOverride> { ["bulk"] = new() { MessagesPerHour = 5000 } },
        };

        Assert.Equal((5000, 1000), options.LimitsFor("BULK"));
        Assert.Equal((300, 1000), options.LimitsFor("alice"));
        Assert.Equal((300, 1000), options.LimitsFor(null));
    }

    [Fact]
    public void Validator_NegativeLimit_Refused()
    {
        var result = new SessionOptionsValidator().Validate(null, new RateLimitOptions { MessagesPerHour = -1 });

        Assert.False(result.Succeeded);
        Assert.Contains("Rules:RL1:MessagesPerHour", result.FailureMessage);
    }

    private LocalRateCounter NewCounter() => new(Options.Create(new RateLimitOptions()), _time);
}
