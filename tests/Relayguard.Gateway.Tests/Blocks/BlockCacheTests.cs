using System.Net;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Blocks;

public sealed class BlockCacheTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-block-cache-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;

    public BlockCacheTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory, "gateway.db"));
    }

    [Fact]
    public void Find_AccountBlockReturnsEveryField()
    {
        var cache = NewCache();
        var entry = Block(BlockKinds.Account, "alice@customer.test", RuleCodes.Ca1, expires: null);
        cache.Apply(entry);

        var found = cache.Find("alice@customer.test", Client, nullSender: false);

        Assert.Equal(entry, found);
    }

    [Fact]
    public void Find_BlockTypedInCapitals_MatchesTheAccount()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "ALICE@Customer.test", RuleCodes.Op1, expires: null));

        Assert.NotNull(cache.Find("alice@customer.test", Client, nullSender: false));
        Assert.NotNull(cache.Find("Alice@customer.test", Client, nullSender: false));
    }

    [Fact]
    public void Restart_OldCapitalisedSnapshot_LiftEndsIt()
    {
        // A block saved as Alice by an earlier version, with the migration that folds it not yet run.
        NewCache();
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, "DELETE FROM schema_migrations;");
            SqliteDatabase.Execute(
                connection,
                "INSERT INTO gateway_blocks (kind, subject, code, scope, reason, blocked_at, expires_at, event_id) VALUES ('account', 'Alice', 'OP1', 'all', 'abuse', $at, NULL, $id);",
                null,
                ("$at", _time.GetUtcNow().AddMinutes(-5).ToUnixTimeMilliseconds()),
                ("$id", Guid.NewGuid().ToString("N")));
        }

        var upgraded = NewCache();
        upgraded.Lift(BlockKinds.Account, "alice", [], _time.GetUtcNow());
        var restarted = NewCache();

        Assert.Null(restarted.Find("alice", Client, nullSender: false));
    }

    [Fact]
    public void Find_UnblockedSenderReturnsNull()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "alice@customer.test", RuleCodes.Ca1, expires: null));

        Assert.Null(cache.Find("bob@customer.test", Client, nullSender: false));
        Assert.Null(cache.Find(null, Client, nullSender: false));
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::ffff:192.0.2.10", "192.0.2.10")]
    [InlineData("2001:db8:1:2::7", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::7", "2001:db8:1:2::7")]
    [InlineData("198.51.100.77", "198.51.100.0/24")]
    public void Find_IpBlockMatchesClient(string client, string subject)
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Ip, subject, RuleCodes.Ca2, _time.GetUtcNow().AddHours(24)));

        var found = cache.Find(null, IPAddress.Parse(client), nullSender: false);

        Assert.NotNull(found);
        Assert.Equal(subject, found.Subject);
        Assert.Equal(RuleCodes.Ca2, found.Code);
    }

    [Fact]
    public void Find_OtherPrefixIsNotBlocked()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Ip, "2001:db8:1:2::/64", RuleCodes.Ca2, _time.GetUtcNow().AddHours(24)));

        Assert.Null(cache.Find(null, IPAddress.Parse("2001:db8:1:3::7"), nullSender: false));
    }

    [Fact]
    public void Find_AccountOnAddressOnlyThere()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, BlockKinds.AccountOnIp("carol", "100.64.0.7"), RuleCodes.Ca2, _time.GetUtcNow().AddHours(24)));

        var there = cache.Find("carol", IPAddress.Parse("::ffff:100.64.0.7"), nullSender: false);
        var elsewhere = cache.Find("carol", IPAddress.Parse("100.64.0.8"), nullSender: false);

        Assert.Equal("carol/100.64.0.7", there?.Subject);
        Assert.Null(elsewhere);
    }

    [Fact]
    public void Find_NullSenderScopeOnlyForNullSender()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "dave", RuleCodes.Bo1, _time.GetUtcNow().AddHours(24), BlockScopes.NullSender));

        Assert.Null(cache.Find("dave", Client, nullSender: false));
        Assert.Equal(RuleCodes.Bo1, cache.Find("dave", Client, nullSender: true)?.Code);
    }

    [Fact]
    public void Find_Ca1OutranksOtherCodes()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "erin", RuleCodes.Rl1, _time.GetUtcNow().AddHours(1)));
        cache.Apply(Block(BlockKinds.Account, "erin", RuleCodes.Ca1, expires: null));
        cache.Apply(Block(BlockKinds.Account, "erin", RuleCodes.Op1, expires: null));

        Assert.Equal(RuleCodes.Ca1, cache.Find("erin", Client, nullSender: false)?.Code);
    }

    [Fact]
    public void Find_ExpiredBlockIsIgnored()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Ip, "192.0.2.10", RuleCodes.Ca2, _time.GetUtcNow().AddMinutes(10)));

        _time.Advance(TimeSpan.FromMinutes(11));

        Assert.Null(cache.Find(null, Client, nullSender: false));
        Assert.Empty(cache.Active());
    }

    [Fact]
    public void Apply_SameCodeAndScopeReplaces()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "frank", RuleCodes.Op1, expires: null, reason: "first"));
        cache.Apply(Block(BlockKinds.Account, "frank", RuleCodes.Op1, expires: null, reason: "second"));

        Assert.Equal(1, cache.Count);
        Assert.Equal("second", cache.Find("frank", Client, nullSender: false)?.Reason);
    }

    [Fact]
    public void Lift_NamedCodeLeavesOthers()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Account, "grace", RuleCodes.Ca1, expires: null));
        cache.Apply(Block(BlockKinds.Account, "grace", RuleCodes.Op1, expires: null));

        cache.Lift(BlockKinds.Account, "grace", [RuleCodes.Ca1]);

        Assert.Equal(RuleCodes.Op1, cache.Find("grace", Client, nullSender: false)?.Code);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Lift_NoCodesLiftsAll()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Ip, "198.51.100.0/24", RuleCodes.Op1, expires: null));
        cache.Apply(Block(BlockKinds.Ip, "198.51.100.0/24", RuleCodes.Ca2, _time.GetUtcNow().AddHours(1)));

        cache.Lift(BlockKinds.Ip, "198.51.100.0/24", []);

        Assert.Null(cache.Find(null, IPAddress.Parse("198.51.100.1"), nullSender: false));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Snapshot_RestartKeepsBlocksAndLifts()
    {
        var first = NewCache();
        var kept = Block(BlockKinds.Ip, "2001:db8:9::/64", RuleCodes.Ca2, _time.GetUtcNow().AddHours(24));
        first.Apply(kept);
        first.Apply(Block(BlockKinds.Account, "heidi", RuleCodes.Ca1, expires: null));
        first.Lift(BlockKinds.Account, "heidi", [RuleCodes.Ca1]);

        var restarted = NewCache();

        Assert.Equal([kept], restarted.Active());
        Assert.Null(restarted.Find("heidi", Client, nullSender: false));
    }

    [Fact]
    public void Apply_LateCopyAfterLiftIgnored()
    {
        var first = NewCache();
        var block = Block(BlockKinds.Account, "ivan", RuleCodes.Ca1, expires: null);
        first.Apply(block);
        _time.Advance(TimeSpan.FromMinutes(1));
        first.Lift(BlockKinds.Account, "ivan", [RuleCodes.Ca1], _time.GetUtcNow());

        var restarted = NewCache();
        var applied = restarted.Apply(block);

        Assert.False(applied);
        Assert.Null(restarted.Find("ivan", Client, nullSender: false));
    }

    [Fact]
    public void Apply_BlockAfterLiftEnforced()
    {
        var cache = NewCache();
        cache.Apply(Block(BlockKinds.Ip, "192.0.2.7", RuleCodes.Ca2, _time.GetUtcNow().AddHours(1)));
        cache.Lift(BlockKinds.Ip, "192.0.2.7", [], _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));

        var applied = cache.Apply(Block(BlockKinds.Ip, "192.0.2.7", RuleCodes.Ca2, _time.GetUtcNow().AddHours(1)));

        Assert.True(applied);
        Assert.Equal(RuleCodes.Ca2, cache.Find(null, IPAddress.Parse("192.0.2.7"), nullSender: false)?.Code);
    }

    [Fact]
    public void Apply_LiftOfOtherCodeKeepsBlock()
    {
        var cache = NewCache();
        var block = Block(BlockKinds.Account, "judy", RuleCodes.Ca1, expires: null);
        cache.Lift(BlockKinds.Account, "judy", [RuleCodes.Op1], _time.GetUtcNow());

        var applied = cache.Apply(block);

        Assert.True(applied);
        Assert.Equal(RuleCodes.Ca1, cache.Find("judy", Client, nullSender: false)?.Code);
    }

    [Fact]
    public void Active_ListsEveryKindOfSubject()
    {
        var cache = NewCache();
        string[] subjects = ["192.0.2.1", "2001:db8::1", "2001:db8:0:1::/64", "198.51.100.0/24", "not an address"];
        foreach (var subject in subjects)
        {
            cache.Apply(Block(BlockKinds.Ip, subject, RuleCodes.Op1, expires: null));
        }

        cache.Apply(Block(BlockKinds.Account, "ivan", RuleCodes.Op1, expires: null));

        var active = cache.Active();

        Assert.Equal([.. subjects.Append("ivan").Order(StringComparer.Ordinal)], active.Select(e => e.Subject).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(6, cache.Count);
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private BlockCache NewCache() => new(new BlockSnapshotStore(_database, _time), _time);

    private BlockEntry Block(string kind, string subject, string code, DateTimeOffset? expires, string scope = BlockScopes.All, string reason = "test reason") =>
        new(kind, subject, code, scope, reason, _time.GetUtcNow(), expires, Guid.NewGuid());
}
