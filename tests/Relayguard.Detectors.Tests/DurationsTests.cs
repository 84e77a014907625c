using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("2w", 1209600)]
    [InlineData("24H", 86400)]
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
    [InlineData("1M")]
    [InlineData("")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Fact]
    public void Parse_Invalid_NamesEveryUnitAndTheMonth()
    {
        var error = Assert.Throws<FormatException>(() => Durations.Parse("1M"));

        Assert.Equal("Invalid duration '1M': use a number followed by s, m, h, d or w (m is minutes; for a month write 30d), for example 30m, 24h or 7d.", error.Message);
    }
}
