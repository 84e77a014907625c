using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tests;

/// <summary>The detectors' copy of the allowlist, kept from events that may arrive late, twice or out of order.</summary>
public sealed class SqliteDetectorAllowlistTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-allowlist-").FullName;
    private readonly SqliteDetectorAllowlist<SqliteDetectorAllowlistTests> _allowlist;

    public SqliteDetectorAllowlistTests()
    {
        _allowlist = new SqliteDetectorAllowlist<SqliteDetectorAllowlistTests>(new SqliteDatabase(Path.Combine(_directory, "test.db")), "test");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Account_CoversOnlyThatAccount()
    {
        _allowlist.Apply(Added("account", "webshop", "CA1"), Now);

        Assert.Equal("account webshop", _allowlist.FindCovering("CA1", "webshop", "198.51.100.1", Now));
        Assert.Null(_allowlist.FindCovering("CA1", "alice", "198.51.100.1", Now));
    }

    [Fact]
    public void Code_CoversOnlyThatRule()
    {
        _allowlist.Apply(Added("account", "webshop", "CA1"), Now);

        Assert.Null(_allowlist.FindCovering("CA2", "webshop", "198.51.100.1", Now));
    }

    [Fact]
    public void NullCode_CoversEveryRule()
    {
        _allowlist.Apply(Added("account", "webshop", null), Now);

        Assert.NotNull(_allowlist.FindCovering("CA1", "webshop", null, Now));
        Assert.NotNull(_allowlist.FindCovering("BO1", "webshop", null, Now));
    }

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.200", true)]
    [InlineData("192.0.2.0/24", "192.0.3.1", false)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.9", true)]
    [InlineData("2001:db8::/48", "2001:db8:0:7::1", true)]
    [InlineData("2001:db8::/48", "2001:db9::1", false)]
    [InlineData("198.51.100.7", "198.51.100.7", true)]
    public void Range_CoversAddressesInside(string range, string clientIp, bool covered)
    {
        _allowlist.Apply(Added("ip", range, null), Now);

        Assert.Equal(covered, _allowlist.FindCovering("CA2", null, clientIp, Now) is not null);
    }

    [Fact]
    public void Expired_CoversNothing()
    {
        _allowlist.Apply(Added("account", "webshop", null) with { ExpiresAt = Now.AddHours(1) }, Now);

        Assert.NotNull(_allowlist.FindCovering("CA1", "webshop", null, Now.AddMinutes(59)));
        Assert.Null(_allowlist.FindCovering("CA1", "webshop", null, Now.AddHours(1)));
    }

    [Fact]
    public void Removed_CoversNothing()
    {
        _allowlist.Apply(Added("account", "webshop", "CA1"), Now);

        _allowlist.Apply(Removed("account", "webshop", "CA1", Now.AddMinutes(1)), Now);

        Assert.Null(_allowlist.FindCovering("CA1", "webshop", null, Now));
    }

    [Fact]
    public void LateAdd_AfterRemove_Ignored()
    {
        var added = Added("account", "webshop", "CA1");

        _allowlist.Apply(Removed("account", "webshop", "CA1", Now.AddMinutes(1)), Now);
        _allowlist.Apply(added, Now);

        Assert.Null(_allowlist.FindCovering("CA1", "webshop", null, Now));
    }

    [Fact]
    public void RepeatedEvent_AppliedOnce()
    {
        var added = Added("account", "webshop", "CA1");

        Assert.True(_allowlist.Apply(added, Now));
        Assert.False(_allowlist.Apply(added, Now));
    }

    private static AllowlistEntryAdded Added(string kind, string subject, string? code) => new()
    {
        EventId = Guid.NewGuid(),
        Kind = kind,
        Subject = subject,
        Code = code,
        Reason = "test",
        Operator = "admin",
        AddedAt = Now,
    };

    private static AllowlistEntryRemoved Removed(string kind, string subject, string? code, DateTimeOffset at) => new()
    {
        EventId = Guid.NewGuid(),
        Kind = kind,
        Subject = subject,
        Code = code,
        Operator = "admin",
        RemovedAt = at,
    };
}
