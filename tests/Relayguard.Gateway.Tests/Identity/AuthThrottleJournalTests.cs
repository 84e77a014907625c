using Microsoft.Extensions.Time.Testing;
using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Identity;

/// <summary>AUTH throttles kept over a restart: a new <see cref="AuthThrottle"/> on the same SQLite file.</summary>
public sealed class AuthThrottleJournalTests : IDisposable
{
    private const string Client = "192.0.2.7";

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-auth-throttle-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;

    public AuthThrottleJournalTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory, "gateway.db"));
    }

    [Fact]
    public void Restart_KnownUserPairStillThrottled()
    {
        Fail(Restarted(), "alice", 5, userKnown: true);

        var after = Restarted();

        Assert.True(after.IsThrottled(Client, "alice", out var until));
        Assert.Equal(_time.GetUtcNow() + new AuthThrottleOptions().BlockFor, until);
    }

    [Fact]
    public void Restart_UnknownNameNotSaved()
    {
        Fail(Restarted(), "Tr0ub4dor&3", 5, userKnown: false);

        Assert.False(Restarted().IsThrottled(Client, "Tr0ub4dor&3", out _));
        using var connection = _database.Open();
        Assert.Equal(0L, SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM gateway_auth_throttles;"));
    }

    [Fact]
    public void Restart_WholeAddressStillThrottled()
    {
        var throttle = Restarted();
        for (var i = 0; i < new AuthThrottleOptions().UserNames; i++)
        {
            Fail(throttle, $"guess{i}", 1, userKnown: false);
        }

        Assert.True(Restarted().IsThrottled(Client, "anyone", out _));
    }

    [Fact]
    public void Restart_AfterLift_NotThrottled()
    {
        var throttle = Restarted();
        Fail(throttle, "alice", 5, userKnown: true);

        throttle.Lift(Client, "alice");

        Assert.False(Restarted().IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Restart_AfterThrottleEnded_NotThrottled()
    {
        Fail(Restarted(), "alice", 5, userKnown: true);

        _time.Advance(new AuthThrottleOptions().BlockFor);

        Assert.False(Restarted().IsThrottled(Client, "alice", out _));
    }

    [Fact]
    public void Prune_EndedThrottle_Deleted()
    {
        var journal = new AuthThrottleJournal(_database, _time);
        Fail(new AuthThrottle(new AuthThrottleOptions(), _time, journal), "alice", 5, userKnown: true);
        var beforeEnd = journal.Prune();

        _time.Advance(new AuthThrottleOptions().BlockFor);
        var afterEnd = journal.Prune();

        Assert.Equal(0, beforeEnd);
        Assert.Equal(1, afterEnd);
        using var connection = _database.Open();
        Assert.Equal(0L, SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM gateway_auth_throttles;"));
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A throttle as a freshly started gateway creates it.</summary>
    private AuthThrottle Restarted() => new(new AuthThrottleOptions(), _time, new AuthThrottleJournal(_database, _time));

    private static void Fail(AuthThrottle throttle, string user, int times, bool userKnown)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.RecordFailure(Client, user, userKnown);
        }
    }
}
