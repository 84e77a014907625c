using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Identity;

namespace Relayguard.Gateway.Tests.Identity;

public sealed class AuthThrottleTests
{
    private const string Client = "192.0.2.7";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Failures_FourForOneUser_NotThrottled()
    {
        var throttle = NewThrottle();
        var started = Fail(throttle, "alice", 4);

        Assert.Empty(started);
        Assert.False(throttle.IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Failures_FiveForOneUser_ThrottlesPair()
    {
        var throttle = NewThrottle();
        var started = Fail(throttle, "alice", 5);

        var start = Assert.Single(started);
        Assert.Equal("alice", start.UserName);
        Assert.Equal(5, start.Failures);
        Assert.True(throttle.IsThrottled(Client, "alice", out var until));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(15), until);
        Assert.True(throttle.IsThrottled(Client, "ALICE", out _));
        Assert.False(throttle.IsThrottled(Client, "bob", out _));
        Assert.False(throttle.IsThrottled("192.0.2.8", "alice", out _));
    }

    [Fact]
    public void Failures_SpreadOverMoreThanWindow_NotThrottled()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 5; i++)
        {
            throttle.RecordFailure(Client, "alice");
            _time.Advance(TimeSpan.FromMinutes(4));
        }

        Assert.False(throttle.IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Throttle_AfterBlockFor_Ends()
    {
        var throttle = NewThrottle();
        Fail(throttle, "alice", 5);

        _time.Advance(TimeSpan.FromMinutes(15));

        Assert.False(throttle.IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Failures_FiveUserNames_ThrottlesAddress()
    {
        var throttle = NewThrottle();
        var started = new List<ThrottleStart>();
        foreach (var user in new[] { "a", "b", "c", "d", "e" })
        {
            started.AddRange(throttle.RecordFailure(Client, user));
        }

        var start = Assert.Single(started);
        Assert.Null(start.UserName);
        Assert.Equal(5, start.DistinctUserNames);
        Assert.True(throttle.IsThrottled(Client, "someone-else", out _));
        Assert.False(throttle.IsThrottled("192.0.2.8", "someone-else", out _));
    }

    [Fact]
    public void Failures_FourUserNames_AddressNotThrottled()
    {
        var throttle = NewThrottle();
        foreach (var user in new[] { "a", "b", "c", "d" })
        {
            throttle.RecordFailure(Client, user);
        }

        Assert.False(throttle.IsThrottled(Client, "someone-else", out _));
    }

    [Fact]
    public void Success_ForgetsFailuresOfPair()
    {
        var throttle = NewThrottle();
        Fail(throttle, "alice", 4);

        throttle.RecordSuccess(Client, "alice");
        var started = Fail(throttle, "alice", 4);

        Assert.Empty(started);
        Assert.False(throttle.IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Lift_Pair_EndsOnlyThatPair()
    {
        var throttle = NewThrottle();
        Fail(throttle, "alice", 5);
        Fail(throttle, "bob", 5);

        var lifted = throttle.Lift(Client, "alice");

        Assert.Equal(1, lifted);
        Assert.False(throttle.IsThrottled(Client, "alice", out _));
        Assert.True(throttle.IsThrottled(Client, "bob", out _));
    }

    [Fact]
    public void Lift_Address_EndsAddressAndPairs()
    {
        var throttle = NewThrottle();
        foreach (var user in new[] { "a", "b", "c", "d", "e" })
        {
            Fail(throttle, user, 5);
        }

        throttle.Lift(Client, null);

        Assert.False(throttle.IsThrottled(Client, "a", out _));
        Assert.False(throttle.IsThrottled(Client, "z", out _));
    }

    [Fact]
    public void Lift_UserOnly_EndsAllPairs()
    {
        var throttle = NewThrottle();
        Fail(throttle, "alice", 5);
        Fail(throttle, "alice", 5, "192.0.2.8");

        throttle.Lift(null, "alice");

        Assert.False(throttle.IsThrottled(Client, "alice", out _));
        Assert.False(throttle.IsThrottled("192.0.2.8", "alice", out _));
    }

    [Fact]
    public void Lift_ByFingerprintLabel_EndsPair()
    {
        var throttle = NewThrottle();
        Fail(throttle, "Tr0ub4dor&3", 5);

        var lifted = throttle.Lift(Client, AuthThrottle.Label("Tr0ub4dor&3", known: false));

        Assert.Equal(1, lifted);
        Assert.False(throttle.IsThrottled(Client, "Tr0ub4dor&3", out _));
    }

    [Fact]
    public void Label_UnknownUser_HidesName()
    {
        var label = AuthThrottle.Label("Tr0ub4dor&3", known: false);

        Assert.DoesNotContain("Tr0ub4dor", label);
        Assert.Matches("^#[0-9a-f]{8}$", label);
        Assert.Equal(label, AuthThrottle.Label("TR0UB4DOR&3", known: false));
        Assert.Equal("alice", AuthThrottle.Label("alice", known: true));
    }

    [Fact]
    public void Options_Thresholds_Applied()
    {
        var throttle = new AuthThrottle(new AuthThrottleOptions { Failures = 2, UserNames = 3, Window = TimeSpan.FromMinutes(1), BlockFor = TimeSpan.FromMinutes(2) }, _time);

        Fail(throttle, "alice", 2);

        Assert.True(throttle.IsThrottled(Client, "alice", out var until));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(2), until);
    }

    [Fact]
    public void Memory_ManyAddresses_PrunedWhenIdle()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 10_000; i++)
        {
            throttle.RecordFailure($"10.0.{i / 256}.{i % 256}", "x");
        }

        _time.Advance(TimeSpan.FromHours(1));
        throttle.RecordFailure("192.0.2.1", "x");

        Assert.Equal(1, throttle.TrackedAddresses);
    }

    private AuthThrottle NewThrottle() => new(new AuthThrottleOptions(), _time);

    private static List<ThrottleStart> Fail(AuthThrottle throttle, string user, int times, string client = Client)
    {
        var started = new List<ThrottleStart>();
        for (var i = 0; i < times; i++)
        {
            started.AddRange(throttle.RecordFailure(client, user));
        }

        return started;
    }
}
