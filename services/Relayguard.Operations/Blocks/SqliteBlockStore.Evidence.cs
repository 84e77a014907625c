using System.Text.Json;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Blocks;

/// <summary>Evidence pruning, which deletes sample addresses some time after a block ends.</summary>
public sealed partial class SqliteBlockStore
{
    /// <summary>
    /// Deletes the sample addresses from the evidence of blocks that ended (were lifted, or expired) longer ago
    /// than <see cref="OperationsOptions.EvidenceRetention"/>. Counts, summary and trace id stay. Returns how
    /// many blocks were pruned. The host calls this periodically.
    /// </summary>
    public int PruneEvidence()
    {
        var retention = Durations.Parse(_options.CurrentValue.EvidenceRetention);
        var now = _timeProvider.GetUtcNow();
        var cutoff = now - retention;

        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        var due = new List<(long Id, string Evidence)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                SELECT id, evidence FROM blocks
                WHERE evidence_pruned_at IS NULL AND COALESCE(lifted_at, expires_at) < $cutoff;
                """;
            command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                due.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        foreach (var (id, json) in due)
        {
            var evidence = JsonSerializer.Deserialize<BlockEvidence>(json, JsonSerializerOptions.Web)!;
            SqliteDatabase.Execute(
                connection,
                "UPDATE blocks SET evidence = $evidence, evidence_pruned_at = $now WHERE id = $id;",
                transaction,
                ("$evidence", JsonSerializer.Serialize(evidence with { Samples = [] }, JsonSerializerOptions.Web)),
                ("$now", now.ToUnixTimeMilliseconds()),
                ("$id", id));
        }

        transaction.Commit();
        if (due.Count > 0)
        {
            BlocksLog.EvidencePruned(_logger, due.Count, Durations.Format(retention));
        }

        return due.Count;
    }
}
