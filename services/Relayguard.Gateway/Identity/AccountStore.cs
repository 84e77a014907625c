using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Identity;

/// <summary>
/// Local submission accounts, with passwords stored as PBKDF2-HMAC-SHA256 hashes (600,000 iterations,
/// the OWASP 2023 figure) and a random 16-byte salt. Every AUTH reads the stored row, so a change made
/// by <c>relayguard accounts</c> takes effect at the next AUTH of a running gateway.
/// </summary>
public sealed class AccountStore
{
    public const int DefaultIterations = 600_000;

    private readonly SqliteDatabase _database;
    private readonly int _iterations;

    // Verifying a password costs about 0.3 s of CPU by design, so recent successes are remembered by a keyed
    // hash of (name, stored hash, password): a changed password or hash misses the cache at once.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;

    public AccountStore(SqliteDatabase database, TimeProvider time, int iterations = DefaultIterations)
    {
        _database = database;
        _time = time;
        _iterations = iterations;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS accounts (
                name TEXT PRIMARY KEY COLLATE NOCASE,
                password_hash BLOB NOT NULL,
                salt BLOB NOT NULL,
                iterations INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            );
            """);
    }

    public static TimeSpan CacheLifetime { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Checks an account name: 1 to 320 characters, no control characters, no space and no slash.</summary>
    public static bool IsValidName(string name, out string error)
    {
        error = string.Empty;
        if (name.Length is 0 or > 320)
        {
            error = "an account name must be 1 to 320 characters long";
            return false;
        }

        if (name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '/'))
        {
            error = $"the account name '{name}' contains a space, a slash or a control character";
            return false;
        }

        return true;
    }

    /// <summary>Adds an account or replaces its password; returns true when it was new.</summary>
    public bool Set(string name, string password)
    {
        if (!IsValidName(name, out var error))
        {
            throw new ArgumentException(error, nameof(name));
        }

        if (password.Length == 0)
        {
            throw new ArgumentException("The password is empty.", nameof(password));
        }

        // A new account is stored in lower case, the spelling that blocks, counts and events use; an existing one
        // keeps the spelling it has.
        name = AccountNames.Canonical(name);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Hash(password, salt, _iterations);
        using var connection = _database.Open();
        var existed = SqliteDatabase.Scalar(connection, "SELECT 1 FROM accounts WHERE name = $n;", null, ("$n", name)) is not null;
        SqliteDatabase.Execute(
            connection,
            """
            INSERT INTO accounts (name, password_hash, salt, iterations, created_at) VALUES ($n, $h, $s, $i, $t)
            ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, salt = excluded.salt, iterations = excluded.iterations;
            """,
            null,
            ("$n", name),
            ("$h", hash),
            ("$s", salt),
            ("$i", _iterations),
            ("$t", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        return !existed;
    }

    /// <summary>Returns the account's name as stored, which may differ from <paramref name="name"/> in case, or null when there is none.</summary>
    public string? FindName(string name)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Scalar(connection, "SELECT name FROM accounts WHERE name = $n;", null, ("$n", name)) as string;
    }

    public bool Exists(string name)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Scalar(connection, "SELECT 1 FROM accounts WHERE name = $n;", null, ("$n", name)) is not null;
    }

    public bool Remove(string name)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Execute(connection, "DELETE FROM accounts WHERE name = $n;", null, ("$n", name)) == 1;
    }

    public IReadOnlyList<AccountInfo> List()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, created_at FROM accounts ORDER BY name;";
        using var reader = command.ExecuteReader();
        var accounts = new List<AccountInfo>();
        while (reader.Read())
        {
            accounts.Add(new AccountInfo(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        }

        return accounts;
    }

    /// <summary>Returns the account's stored name (its canonical spelling) when the password matches, otherwise null.</summary>
    public string? Verify(string name, string password)
    {
        byte[] storedHash;
        byte[] salt;
        int iterations;
        string storedName;
        using (var connection = _database.Open())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, password_hash, salt, iterations FROM accounts WHERE name = $n;";
            command.Parameters.AddWithValue("$n", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                // Spend the same time as a real check, so a timing probe cannot tell which names exist.
                Hash(password, new byte[16], _iterations);
                return null;
            }

            storedName = reader.GetString(0);
            storedHash = (byte[])reader.GetValue(1);
            salt = (byte[])reader.GetValue(2);
            iterations = reader.GetInt32(3);
        }

        var now = _time.GetUtcNow();
        var cacheKey = CacheKey(storedName, storedHash, password);
        if (_verified.TryGetValue(cacheKey, out var verifiedAt) && now - verifiedAt < CacheLifetime)
        {
            return storedName;
        }

        var hash = Hash(password, salt, iterations);
        if (!CryptographicOperations.FixedTimeEquals(hash, storedHash))
        {
            return null;
        }

        if (_verified.Count > 10_000)
        {
            _verified.Clear();
        }

        _verified[cacheKey] = now;
        return storedName;
    }

    private static byte[] Hash(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);

    private string CacheKey(string name, byte[] storedHash, string password)
    {
        var material = Encoding.UTF8.GetBytes($"{name}\0{Convert.ToBase64String(storedHash)}\0{password}");
        return Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, material));
    }
}
