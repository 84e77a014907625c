using System.Collections.Concurrent;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Operations.Audit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tokens;

/// <summary>
/// <see cref="ITokenStore"/> in the <c>operator_tokens</c> table. A token is <c>rg_</c> followed by 32 random bytes
/// in base64url, and only its salted hash (<see cref="TokenHashes"/>) is stored. Every change is written to the audit
/// log in the same transaction.
/// </summary>
public sealed partial class SqliteTokenStore : ITokenStore
{
    public const string TokenPrefix = "rg_";

    private const int TokenBytes = 32;

    internal static readonly int TokenLength = TokenPrefix.Length + Base64Url.GetEncodedLength(TokenBytes);

    // A token is 256 random bits, so its first characters can serve as a public lookup id: the remaining ~190
    // bits stay secret. The hash is PBKDF2-HMAC-SHA256 with a random salt, stored as salt followed by hash.
    private const int TokenIdLength = 11;

    private readonly TokenHashes _hashes = new();
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public SqliteTokenStore(SqliteDatabase database, TimeProvider? timeProvider = null, ILogger<SqliteTokenStore>? logger = null)
    {
        _database = database;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqliteTokenStore>.Instance;
        OperationsSchema.EnsureCreated(database);
    }

    /// <summary>The audit actor of changes made on the host itself, such as by the <c>relayguard tokens</c> command.</summary>
    public static string LocalActor => $"local:{Environment.UserName}";

    /// <summary>Creates a token and returns it. The caller must show it now, because only its hash is stored.</summary>
    /// <exception cref="ArgumentException">The name or role is invalid.</exception>
    /// <exception cref="InvalidOperationException">A token with this name exists.</exception>
    public string Add(string name, string role) => Add(name, role, LocalActor);

    /// <inheritdoc cref="Add(string, string)"/>
    public string Add(string name, string role, string actor)
    {
        role = ValidateRole(role);
        ValidateName(name);

        var token = NewToken();
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (SqliteDatabase.Scalar(connection, "SELECT 1 FROM operator_tokens WHERE name = $n;", transaction, ("$n", name)) is not null)
        {
            throw new InvalidOperationException(
                $"A token named '{name}' already exists. Choose another name, or remove it first with 'relayguard tokens remove {name}'.");
        }

        Insert(connection, transaction, name, role, token, actor);
        transaction.Commit();
        Log.TokenAdded(_logger, name, role, actor);
        return token;
    }

    /// <summary>
    /// Creates a token only when none exists, and hands it to <paramref name="deliver"/> before the insert is
    /// committed, so a token that could not be delivered is not kept. Returns false when tokens existed.
    /// </summary>
    public bool AddFirst(string name, string role, string actor, Action<string> deliver)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (SqliteDatabase.Scalar(connection, "SELECT 1 FROM operator_tokens LIMIT 1;", transaction) is not null)
        {
            return false;
        }

        var token = NewToken();
        Insert(connection, transaction, name, role, token, actor);
        deliver(token);
        transaction.Commit();
        Log.TokenAdded(_logger, name, role, actor);
        return true;
    }

    public IReadOnlyList<TokenInfo> List()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, role, created_at, created_by FROM operator_tokens ORDER BY name;";
        using var reader = command.ExecuteReader();
        var tokens = new List<TokenInfo>();
        while (reader.Read())
        {
            tokens.Add(ReadInfo(reader));
        }

        return tokens;
    }

    /// <summary>Deletes the named token, so requests with it fail from then on. Returns false when there is none.</summary>
    public bool Remove(string name) => Remove(name, LocalActor);

    /// <inheritdoc cref="Remove(string)"/>
    public bool Remove(string name, string actor)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (SqliteDatabase.Execute(connection, "DELETE FROM operator_tokens WHERE name = $n;", transaction, ("$n", name)) == 0)
        {
            return false;
        }

        SqliteAuditLog.Append(connection, transaction, new AuditEntry
        {
            At = _timeProvider.GetUtcNow(),
            Actor = actor,
            Action = AuditActions.TokenRemove,
            Subject = name,
        });
        transaction.Commit();
        Log.TokenRemoved(_logger, name, actor);
        return true;
    }

    /// <summary>
    /// Returns the token's name and role, or null when the token is unknown. The token's first characters select
    /// its row; its salted hash is compared in constant time, and the loop does not stop at a match.
    /// </summary>
    public TokenInfo? Verify(string? token)
    {
        token = token?.Trim();
        if (token is null || token.Length != TokenLength || !token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, role, created_at, created_by, token_hash FROM operator_tokens WHERE token_id = $id OR token_id IS NULL;";
        command.Parameters.AddWithValue("$id", TokenId(token));
        using var reader = command.ExecuteReader();
        TokenInfo? match = null;
        var now = _timeProvider.GetUtcNow();
        while (reader.Read())
        {
            var stored = (byte[])reader.GetValue(4);
            if (_hashes.Matches(token, stored, now))
            {
                match = ReadInfo(reader);
            }
        }

        return match;
    }

    private void Insert(SqliteConnection connection, SqliteTransaction transaction, string name, string role, string token, string actor)
    {
        var now = _timeProvider.GetUtcNow();
        SqliteDatabase.Execute(
            connection,
            "INSERT INTO operator_tokens (name, role, token_hash, token_id, created_at, created_by) VALUES ($n, $r, $h, $id, $t, $a);",
            transaction,
            ("$n", name),
            ("$r", role),
            ("$h", TokenHashes.SaltedHash(token)),
            ("$id", TokenId(token)),
            ("$t", now.ToUnixTimeMilliseconds()),
            ("$a", actor));
        SqliteAuditLog.Append(connection, transaction, new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = AuditActions.TokenAdd,
            Subject = name,
            Detail = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["role"] = role }),
        });
    }

    private static TokenInfo ReadInfo(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
        reader.GetString(3));

    internal static string NewToken() => TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    internal static string TokenId(string token) => token.Substring(TokenPrefix.Length, TokenIdLength);

    internal static void ValidateName(string name)
    {
        if (!TokenNamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"Invalid token name '{name}': use 1 to 64 letters, digits, dots, dashes, underscores or @.", nameof(name));
        }
    }

    internal static string ValidateRole(string role)
    {
        var normalized = role.Trim().ToLowerInvariant();
        if (!OperatorRoles.All.Contains(normalized))
        {
            throw new ArgumentException($"Invalid role '{role}': use read or operate.", nameof(role));
        }

        return normalized;
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex TokenNamePattern();

    internal static partial class Log
    {
        [LoggerMessage(EventId = OperationsEventIds.TokenAdded, Level = LogLevel.Information,
            Message = "Added operator token {TokenName} with role {Role}, by {Actor}.")]
        public static partial void TokenAdded(ILogger logger, string tokenName, string role, string actor);

        [LoggerMessage(EventId = OperationsEventIds.TokenRemoved, Level = LogLevel.Information,
            Message = "Removed operator token {TokenName}, by {Actor}.")]
        public static partial void TokenRemoved(ILogger logger, string tokenName, string actor);
    }
}
