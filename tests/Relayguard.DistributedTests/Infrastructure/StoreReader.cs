using Microsoft.Data.Sqlite;

namespace Relayguard.DistributedTests.Infrastructure;

/// <summary>Reads a service's SQLite file while the service runs (WAL mode lets a reader in beside the writer).</summary>
public static class StoreReader
{
    public static long Count(string sqliteFile, string sql, params (string Name, object Value)[] parameters)
    {
        if (!File.Exists(sqliteFile))
        {
            return 0;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqliteFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        try
        {
            return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException exception) when (exception.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0;
        }
    }

    /// <summary>Events a detector consumer applied, from its <c>processed_events</c> marks.</summary>
    public static long Processed(string sqliteFile, string consumer) =>
        Count(sqliteFile, "SELECT COUNT(*) FROM processed_events WHERE consumer = $c;", ("$c", consumer));
}
