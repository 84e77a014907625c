using System.Text.Json;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Index;

/// <summary>
/// Every relayed message: gateway id, Message-ID, envelope id, account, client address, recipients and
/// time, kept for the retention period so that a later DSN can be matched to its submission.
/// </summary>
public sealed class MessageIndex
{
    private readonly SqliteDatabase _database;

    public MessageIndex(SqliteDatabase database)
    {
        _database = database;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS message_index (
                gateway_id TEXT PRIMARY KEY,
                message_id TEXT,
                envelope_id TEXT,
                account TEXT,
                client_ip TEXT NOT NULL,
                recipients TEXT NOT NULL,
                submitted_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS message_index_message_id ON message_index (message_id);
            CREATE INDEX IF NOT EXISTS message_index_envelope_id ON message_index (envelope_id);
            CREATE INDEX IF NOT EXISTS message_index_submitted_at ON message_index (submitted_at);
            CREATE TABLE IF NOT EXISTS message_index_bounced (
                gateway_id TEXT NOT NULL,
                recipient_hash TEXT NOT NULL,
                submitted_at INTEGER NOT NULL,
                PRIMARY KEY (gateway_id, recipient_hash)
            ) WITHOUT ROWID;
            """);
    }

    /// <summary>Returns true when an earlier report gave this recipient of the submission as failed.</summary>
    public bool WasBounced(string gatewayId, string recipientHash)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Scalar(
            connection,
            "SELECT 1 FROM message_index_bounced WHERE gateway_id = $g AND recipient_hash = $h;",
            null,
            ("$g", gatewayId),
            ("$h", recipientHash)) is not null;
    }

    /// <summary>
    /// Records that a report gave a recipient of a submission as failed, after its event is written: the same bounce
    /// posted twice, or delivered twice by the MTA, then counts once. Returns false when it was recorded already.
    /// </summary>
    public Task<bool> MarkBouncedAsync(string gatewayId, string recipientHash, DateTimeOffset submittedAt) =>
        _database.WriteAsync(connection => SqliteDatabase.Execute(
            connection,
            "INSERT OR IGNORE INTO message_index_bounced (gateway_id, recipient_hash, submitted_at) VALUES ($g, $h, $t);",
            null,
            ("$g", gatewayId),
            ("$h", recipientHash),
            ("$t", submittedAt.ToUnixTimeMilliseconds())) == 1);

    /// <summary>Adds a relayed message, in one commit with the other writes waiting at the time.</summary>
    public Task AddAsync(IndexedMessage message)
    {
        var recipients = JsonSerializer.Serialize(message.Recipients);
        return _database.WriteAsync(connection => SqliteDatabase.Execute(
            connection,
            """
            INSERT OR REPLACE INTO message_index (gateway_id, message_id, envelope_id, account, client_ip, recipients, submitted_at)
            VALUES ($g, $m, $e, $a, $ip, $r, $t);
            """,
            null,
            ("$g", message.GatewayId),
            ("$m", message.MessageId),
            ("$e", message.EnvelopeId),
            ("$a", message.Account),
            ("$ip", message.ClientIp),
            ("$r", recipients),
            ("$t", message.SubmittedAt.ToUnixTimeMilliseconds())));
    }

    /// <summary>
    /// Finds the submission a report is about, by the envelope id it went upstream with (the client's, or the gateway
    /// id when the client gave none), then by Message-ID. A client may reuse either, even another account's gateway
    /// id, so the newest submission that carries it and went to one of <paramref name="recipientHashes"/> is taken.
    /// When none went to them, a submission sent with that gateway id is still returned, so that the intake counts
    /// the report as matched and its recipients as ignored.
    /// </summary>
    public IndexedMessage? Find(string? envelopeId, string? messageId, IReadOnlyCollection<string> recipientHashes)
    {
        using var connection = _database.Open();
        if (!string.IsNullOrEmpty(envelopeId))
        {
            var byEnvelope = Newest(connection, "envelope_id", envelopeId, recipientHashes);
            if (byEnvelope is not null)
            {
                return byEnvelope;
            }

            var own = Query(connection, "SELECT * FROM message_index WHERE gateway_id = $v AND envelope_id = $v;", envelopeId).FirstOrDefault();
            if (own is not null)
            {
                return own;
            }
        }

        if (!string.IsNullOrEmpty(messageId))
        {
            return Newest(connection, "message_id", messageId.Trim('<', '>', ' '), recipientHashes);
        }

        return null;
    }

    /// <summary>
    /// Reads the newest submission whose <paramref name="column"/> is <paramref name="value"/> and that was sent to one
    /// of the recipients (any submission when none are given). SQLite filters the rows, so a campaign id on thousands
    /// of messages still finds the one that went to the recipient.
    /// </summary>
    private static IndexedMessage? Newest(Microsoft.Data.Sqlite.SqliteConnection connection, string column, string value, IReadOnlyCollection<string> recipientHashes) =>
        Query(
            connection,
            $"""
            SELECT * FROM message_index WHERE {column} = $v
                AND ($none OR EXISTS (SELECT 1 FROM json_each(message_index.recipients) AS sent WHERE sent.value IN (SELECT value FROM json_each($hashes))))
            ORDER BY submitted_at DESC LIMIT 1;
            """,
            value,
            ("$none", recipientHashes.Count == 0),
            ("$hashes", JsonSerializer.Serialize(recipientHashes))).FirstOrDefault();

    /// <summary>Reads who sent each message relayed since <paramref name="since"/>, when, and to how many recipients.</summary>
    public IReadOnlyList<(string? Account, string ClientIp, DateTimeOffset SubmittedAt, int Recipients)> RelayedSince(DateTimeOffset since)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            "SELECT account, client_ip, submitted_at, json_array_length(recipients) FROM message_index WHERE submitted_at >= $t;",
            null,
            reader =>
            {
                var relayed = new List<(string?, string, DateTimeOffset, int)>();
                while (reader.Read())
                {
                    relayed.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetInt32(3)));
                }

                return relayed;
            },
            ("$t", since.ToUnixTimeMilliseconds()));
    }

    public int Prune(DateTimeOffset olderThan)
    {
        using var connection = _database.Open();
        SqliteDatabase.Execute(connection, "DELETE FROM message_index_bounced WHERE submitted_at < $t;", null, ("$t", olderThan.ToUnixTimeMilliseconds()));
        return SqliteDatabase.Execute(connection, "DELETE FROM message_index WHERE submitted_at < $t;", null, ("$t", olderThan.ToUnixTimeMilliseconds()));
    }

    private static List<IndexedMessage> Query(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, string value, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$v", value);
        foreach (var (name, parameter) in parameters)
        {
            command.Parameters.AddWithValue(name, parameter);
        }

        using var reader = command.ExecuteReader();
        var found = new List<IndexedMessage>();
        while (reader.Read())
        {
            found.Add(new IndexedMessage(
                reader.GetString(reader.GetOrdinal("gateway_id")),
                reader.IsDBNull(reader.GetOrdinal("message_id")) ? null : reader.GetString(reader.GetOrdinal("message_id")),
                reader.IsDBNull(reader.GetOrdinal("envelope_id")) ? null : reader.GetString(reader.GetOrdinal("envelope_id")),
                reader.IsDBNull(reader.GetOrdinal("account")) ? null : reader.GetString(reader.GetOrdinal("account")),
                reader.GetString(reader.GetOrdinal("client_ip")),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(reader.GetOrdinal("recipients"))) ?? [],
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(reader.GetOrdinal("submitted_at")))));
        }

        return found;
    }
}
