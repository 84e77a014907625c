using Microsoft.Data.Sqlite;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// A connection of <see cref="SqliteDatabase"/>. It holds the database's in-process write gate from
/// <see cref="SqliteDatabase.BeginWrite"/> until it is closed, and keeps the statements that
/// <see cref="SqliteDatabase.Execute"/> and <see cref="SqliteDatabase.Scalar"/> prepare on it. Closing or disposing
/// it returns it, still open and with those statements, to the database's pool when no transaction is left open
/// on it; otherwise it really closes.
/// </summary>
internal sealed class GatedSqliteConnection(string connectionString, SemaphoreSlim gate, Func<GatedSqliteConnection, bool> returnToPool)
    : SqliteConnection(connectionString)
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _holdsGate;
    private bool _gateHeldByOwner;
    private bool _lent;

    /// <summary>The transaction of a batch of writes (<see cref="SqliteWriteBatcher"/>), which its statements join.</summary>
    public SqliteTransaction? ActiveTransaction { get; set; }

    /// <summary>
    /// Leaves the gate to the owner of this connection (<see cref="SqliteDatabase.Write"/>), which takes it around
    /// every use: <see cref="EnterWriteGate"/> and closing then leave it alone.
    /// </summary>
    public void MarkGateHeldByOwner() => _gateHeldByOwner = true;

    /// <summary>Waits for the write gate unless this connection already holds it.</summary>
    public void EnterWriteGate()
    {
        if (_holdsGate || _gateHeldByOwner)
        {
            return;
        }

        SqliteDatabase.EnterGate(gate);
        _holdsGate = true;
    }

    public void ExitWriteGate()
    {
        if (!_holdsGate)
        {
            return;
        }

        _holdsGate = false;
        gate.Release();
    }

    /// <summary>Returns the prepared command for <paramref name="sql"/>, with no parameters, creating it on first use.</summary>
    public SqliteCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            return command;
        }

        command = CreateCommand();
        command.CommandText = sql;
        _commands[sql] = command;
        return command;
    }

    /// <summary>Marks the connection as handed out by <see cref="SqliteDatabase.Open"/>, so that closing it returns it.</summary>
    public void Lend() => _lent = true;

    /// <summary>Closes the connection for good, with its statements.</summary>
    public void CloseForGood()
    {
        _lent = false;
        try
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            _commands.Clear();
            base.Close();
        }
        finally
        {
            ExitWriteGate();
        }
    }

    public override void Close()
    {
        if (!TryReturn())
        {
            CloseForGood();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && TryReturn())
        {
            return;
        }

        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            ExitWriteGate();
        }
    }

    private bool TryReturn()
    {
        if (!_lent || State != System.Data.ConnectionState.Open)
        {
            return false;
        }

        // A transaction the caller left open would otherwise reach the next user of the connection.
        if (SQLitePCL.raw.sqlite3_get_autocommit(Handle) == 0)
        {
            return false;
        }

        _lent = false;
        ExitWriteGate();
        return returnToPool(this);
    }
}
