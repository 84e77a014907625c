using System.Text.Json;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Tokens;

namespace Relayguard.Operations.Mongo;

/// <summary>
/// <see cref="ITokenStore"/> in <c>operations_tokens</c>, one document per token keyed by its name, so the unique
/// <c>_id</c> lets only one replica create a name. Tokens are made and hashed as in <see cref="SqliteTokenStore"/>.
/// </summary>
public sealed class MongoTokenStore(MongoOperationsDatabase database, TimeProvider timeProvider, ILogger<MongoTokenStore> logger) : ITokenStore
{
    private static readonly FilterDefinitionBuilder<BsonDocument> Filter = Builders<BsonDocument>.Filter;

    private readonly TokenHashes _hashes = new();

    public string Add(string name, string role, string actor)
    {
        role = SqliteTokenStore.ValidateRole(role);
        SqliteTokenStore.ValidateName(name);

        var token = SqliteTokenStore.NewToken();
        if (!TryInsert(name, role, token, actor))
        {
            throw new InvalidOperationException(
                $"A token named '{name}' already exists. Choose another name, or remove it first with 'relayguard tokens remove {name}'.");
        }

        AppendAdded(name, role, actor);
        SqliteTokenStore.Log.TokenAdded(logger, name, role, actor);
        return token;
    }

    /// <summary>
    /// Inserts the token when the collection is empty and then delivers it, deleting it again when the delivery fails.
    /// Two replicas that start at once both try to insert <paramref name="name"/>, and the unique name lets one win.
    /// </summary>
    /// <remarks>
    /// NOTE: a crash between the insert and the delivery leaves a token that no operator has, and the next start finds
    /// a token and writes none. Deleting every document of <c>operations_tokens</c> makes the next start write a new one.
    /// </remarks>
    public bool AddFirst(string name, string role, string actor, Action<string> deliver)
    {
        ArgumentNullException.ThrowIfNull(deliver);
        if (database.Tokens.Find(Filter.Empty).Any())
        {
            return false;
        }

        var token = SqliteTokenStore.NewToken();
        if (!TryInsert(name, role, token, actor))
        {
            return false;
        }

        try
        {
            deliver(token);
        }
        catch
        {
            database.Tokens.DeleteOne(Filter.Eq("_id", name) & Filter.Eq("token_id", SqliteTokenStore.TokenId(token)));
            throw;
        }

        AppendAdded(name, role, actor);
        SqliteTokenStore.Log.TokenAdded(logger, name, role, actor);
        return true;
    }

    public IReadOnlyList<TokenInfo> List() =>
        database.Tokens.Find(Filter.Empty).Sort(Builders<BsonDocument>.Sort.Ascending("_id")).ToList().Select(ReadInfo).ToList();

    public bool Remove(string name, string actor)
    {
        if (database.Tokens.DeleteOne(Filter.Eq("_id", name)).DeletedCount == 0)
        {
            return false;
        }

        MongoAuditLog.Append(database, new AuditEntry
        {
            At = timeProvider.GetUtcNow(),
            Actor = actor,
            Action = AuditActions.TokenRemove,
            Subject = name,
        }, key: null);
        SqliteTokenStore.Log.TokenRemoved(logger, name, actor);
        return true;
    }

    /// <summary>
    /// Returns the token's name and role, or null when the token is unknown. The token's first characters select its
    /// document; its salted hash is compared in constant time, and the loop does not stop at a match.
    /// </summary>
    public TokenInfo? Verify(string? token)
    {
        token = token?.Trim();
        if (token is null || token.Length != SqliteTokenStore.TokenLength || !token.StartsWith(SqliteTokenStore.TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        TokenInfo? match = null;
        foreach (var document in database.Tokens.Find(Filter.Eq("token_id", SqliteTokenStore.TokenId(token))).ToList())
        {
            if (_hashes.Matches(token, document["token_hash"].AsByteArray, now))
            {
                match = ReadInfo(document);
            }
        }

        return match;
    }

    private bool TryInsert(string name, string role, string token, string actor) =>
        MongoOperationsDatabase.TryInsert(database.Tokens, new BsonDocument
        {
            ["_id"] = name,
            ["role"] = role,
            ["token_hash"] = TokenHashes.SaltedHash(token),
            ["token_id"] = SqliteTokenStore.TokenId(token),
            ["created_at"] = timeProvider.GetUtcNow().UtcDateTime,
            ["created_by"] = actor,
        });

    private void AppendAdded(string name, string role, string actor) =>
        MongoAuditLog.Append(database, new AuditEntry
        {
            At = timeProvider.GetUtcNow(),
            Actor = actor,
            Action = AuditActions.TokenAdd,
            Subject = name,
            Detail = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["role"] = role }),
        }, key: null);

    private static TokenInfo ReadInfo(BsonDocument document) => new(
        document["_id"].AsString,
        document["role"].AsString,
        MongoOperationsDatabase.ReadTime(document, "created_at")!.Value,
        document["created_by"].AsString);
}
