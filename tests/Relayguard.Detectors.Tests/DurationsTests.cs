using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("0", 0)]
    [InlineData("01:00:00", 3600)]
    [InlineData("1.00:00:00", 86400)]
    public void TryParse_Valid_ReadsSeconds(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("2.5")]
    [InlineData("3 days")]
    [InlineData("-1h")]
    [InlineData("10x")]
    [InlineData("")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }
}
