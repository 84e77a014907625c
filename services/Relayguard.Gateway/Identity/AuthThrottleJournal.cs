using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Identity;

/// <summary>A throttle saved by <see cref="AuthThrottleJournal"/>: the client address, the user name or null for the whole address, and its end.</summary>
public sealed record SavedThrottle(string ClientKey, string? UserName, DateTimeOffset Until);

/// <summary>
/// The AUTH throttles in force, kept in the gateway's SQLite file, so a restarted gateway still refuses what the
/// operations API shows as an active AUTH block. Only whole addresses and names of real accounts are saved: a name
/// that matches no account may be a password typed into the wrong field, and refusing it again gains nothing, since
/// its login fails anyway.
/// </summary>
public sealed class AuthThrottleJournal
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public AuthThrottleJournal(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS gateway_auth_throttles (
                client_key TEXT NOT NULL,
                user_name TEXT NOT NULL,
                until INTEGER NOT NULL,
                PRIMARY KEY (client_key, user_name)
            ) WITHOUT ROWID;
            """);
    }

    /// <summary>Saves a throttle; <paramref name="userName"/> null throttles the whole address.</summary>
    public void Save(string clientKey, string? userName, DateTimeOffset until) => _database.Write(connection => SqliteDatabase.Execute(
        connection,
        "INSERT INTO gateway_auth_throttles (client_key, user_name, until) VALUES ($k, $u, $t) ON CONFLICT (client_key, user_name) DO UPDATE SET until = excluded.until;",
        null,
        ("$k", clientKey),
        ("$u", userName ?? string.Empty),
        ("$t", until.ToUnixTimeMilliseconds())));

    /// <summary>Deletes the throttles an operator lifted: of one address or all (null), of one user name or all (null).</summary>
    public void Delete(string? clientKey, string? userName) => _database.Write(connection => SqliteDatabase.Execute(
        connection,
        "DELETE FROM gateway_auth_throttles WHERE ($k IS NULL OR client_key = $k) AND ($u IS NULL OR user_name = $u);",
        null,
        ("$k", clientKey),
        ("$u", userName)));

    /// <summary>Deletes the throttles that have ended and returns how many there were.</summary>
    public int Prune()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _database.Write(connection => SqliteDatabase.Execute(connection, "DELETE FROM gateway_auth_throttles WHERE until <= $now;", null, ("$now", now)));
    }

    /// <summary>Deletes the throttles that have ended, then reads the rest.</summary>
    public IReadOnlyList<SavedThrottle> Load()
    {
        Prune();
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            "SELECT client_key, user_name, until FROM gateway_auth_throttles;",
            null,
            reader =>
            {
                var saved = new List<SavedThrottle>();
                while (reader.Read())
                {
                    var user = reader.GetString(1);
                    saved.Add(new SavedThrottle(reader.GetString(0), user.Length == 0 ? null : user, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
                }

                return saved;
            });
    }
}
