using System.Net;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Identity;

namespace Relayguard.Gateway.Tests.Identity;

public sealed class LoginNetworkMonitorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Logins_FiveNetworksInHour_Flagged()
    {
        var monitor = new LoginNetworkMonitor(new LoginNetworksOptions(), _time);
        IReadOnlyList<string>? flagged = null;
        for (var i = 1; i <= 5; i++)
        {
            flagged = monitor.RecordLogin("alice", IPAddress.Parse($"198.51.{i}.10"));
        }

        Assert.NotNull(flagged);
        Assert.Equal(5, flagged.Count);
        Assert.Equal("198.51.1.0/24", flagged[0]);
    }

    [Fact]
    public void Logins_SameNetwork_NotFlagged()
    {
        var monitor = new LoginNetworkMonitor(new LoginNetworksOptions(), _time);
        IReadOnlyList<string>? flagged = null;
        for (var i = 1; i <= 20; i++)
        {
            flagged ??= monitor.RecordLogin("alice", IPAddress.Parse($"198.51.100.{i}"));
        }

        Assert.Null(flagged);
    }

    [Fact]
    public void Logins_SpreadOverHours_NotFlagged()
    {
        var monitor = new LoginNetworkMonitor(new LoginNetworksOptions(), _time);
        IReadOnlyList<string>? flagged = null;
        for (var i = 1; i <= 5; i++)
        {
            flagged ??= monitor.RecordLogin("alice", IPAddress.Parse($"198.51.{i}.10"));
            _time.Advance(TimeSpan.FromMinutes(20));
        }

        Assert.Null(flagged);
    }

    [Fact]
    public void Flag_WithinWindow_NotRepeated()
    {
        var monitor = new LoginNetworkMonitor(new LoginNetworksOptions { Count = 2 }, _time);
        monitor.RecordLogin("alice", IPAddress.Parse("198.51.1.10"));
        var first = monitor.RecordLogin("alice", IPAddress.Parse("198.51.2.10"));

        var second = monitor.RecordLogin("alice", IPAddress.Parse("198.51.3.10"));

        Assert.NotNull(first);
        Assert.Null(second);
    }

    [Fact]
    public void Count_Zero_NeverFlags()
    {
        var monitor = new LoginNetworkMonitor(new LoginNetworksOptions { Count = 0 }, _time);

        var flagged = monitor.RecordLogin("alice", IPAddress.Parse("198.51.1.10"));

        Assert.Null(flagged);
    }

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:3::1", "2001:db8:1::/48")]
    public void NetworkOf_Address_IsPrefix(string address, string expected)
    {
        Assert.Equal(expected, LoginNetworkMonitor.NetworkOf(IPAddress.Parse(address)));
    }
}
