using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

public sealed class RepeatedLogLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryLog_WithinInterval_HeldBack()
    {
        var limiter = new RepeatedLogLimiter(TimeSpan.FromMinutes(1), _time);

        Assert.True(limiter.TryLog("192.0.2.7", out var first));
        Assert.False(limiter.TryLog("192.0.2.7", out _));
        Assert.False(limiter.TryLog("192.0.2.7", out _));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(limiter.TryLog("192.0.2.7", out var afterInterval));

        Assert.Equal(0, first);
        Assert.Equal(2, afterInterval);
    }

    [Fact]
    public void TryLog_OtherKey_NotHeldBack()
    {
        var limiter = new RepeatedLogLimiter(TimeSpan.FromMinutes(1), _time);
        limiter.TryLog("192.0.2.7", out _);

        Assert.True(limiter.TryLog("192.0.2.8", out var suppressed));
        Assert.Equal(0, suppressed);
    }
}
