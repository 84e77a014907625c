using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Opens connections to one SQLite file in WAL mode, so several readers and one writer (also in other
/// processes on the same node) can share it. Each component creates its own tables.
/// </summary>
/// <remarks>
/// Checkpoints run on a timer of their own, once a second, instead of inside whichever commit fills the WAL past
/// 1,000 pages: with <c>synchronous=NORMAL</c> a checkpoint syncs the files to disk, and inside a commit that put
/// tens of milliseconds into the tail latency of every write.
/// Writers in this process take turns at an in-process gate before SQLite's own write lock. Without it, concurrent
/// writers meet SQLITE_BUSY and SQLite's busy handler puts each to sleep for 1 ms or more, much longer than a write
/// takes, which capped the gateway at a few hundred messages per second. Writers in other processes still wait
/// through <c>busy_timeout</c>.
/// </remarks>
public sealed class SqliteDatabase : IDisposable
{
    // One gate per file, shared by every SqliteDatabase on it in this process.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Open connections kept for reuse, with their prepared statements; more than this are closed.</summary>
    private const int PoolSize = 16;

    private readonly ConcurrentBag<GatedSqliteConnection> _pool = [];

    private readonly string _connectionString;
    private readonly SemaphoreSlim _gate;
    private readonly SqliteWriteBatcher _batcher;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>WAL length in frames (pages of 4 KiB) from which a checkpoint makes this process's writers wait, so the WAL can start again.</summary>
    private const int ResetWalFrames = 4096;

    private readonly Timer _checkpoints;
    private GatedSqliteConnection? _writer;
    private volatile bool _disposed;
    private int _checkpointing;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        PrivateDirectory.Create(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _gate = Gates.GetOrAdd(Path, _ => new SemaphoreSlim(1, 1));
        _batcher = new SqliteWriteBatcher(WithWriterAsync);

        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        _checkpoints = new Timer(_ => Checkpoint(), null, CheckpointInterval, CheckpointInterval);
    }

    /// <summary>
    /// Opens the SQLite file that a setting names, creating its folder, and turns a folder that cannot be made or a
    /// file that cannot be opened into a <see cref="SettingException"/> that names the setting <paramref name="key"/>.
    /// </summary>
    public static SqliteDatabase OpenConfigured(string databasePath, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        try
        {
            return new SqliteDatabase(databasePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new SettingException(
                $"Invalid {key}: the SQLite file {System.IO.Path.GetFullPath(databasePath)} cannot be created or opened ({ex.Message.TrimEnd('.')}). Give a folder that this user may write.",
                ex);
        }
    }

    public string Path { get; }

    /// <summary>
    /// Set on every connection. busy_timeout makes a writer wait for another process's write lock instead of failing at
    /// once. wal_autocheckpoint=0 leaves checkpoints to this class's timer. journal_size_limit truncates a WAL that grew
    /// past 64 MiB when it starts again from the beginning.
    /// </summary>
    private const string ConnectionPragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;";

    /// <summary>
    /// Returns an open connection, reused from this database's pool when one is free. Disposing it returns it to the
    /// pool with its prepared statements (see <see cref="Execute"/>), so a caller that opens a connection per
    /// operation pays for opening, pragmas and statement preparation once per pooled connection.
    /// </summary>
    public SqliteConnection Open()
    {
        if (!_pool.TryTake(out var connection))
        {
            connection = new GatedSqliteConnection(_connectionString, _gate, TryReturn);
            connection.Open();
            Execute(connection, ConnectionPragmas);
        }

        connection.Lend();
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on this process's long-lived writer connection while holding the write gate, so
    /// statements run through <see cref="Execute"/> stay prepared from one call to the next. The work runs in
    /// autocommit mode unless it starts a transaction itself (<see cref="BeginWrite"/>), which it must end.
    /// </summary>
    public T Write<T>(Func<SqliteConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        EnterGate(_gate);
        try
        {
            _writer ??= OpenWriter();
            return work(_writer);
        }
        catch (SqliteException)
        {
            // A connection that failed may be left inside a transaction or broken: the next write opens a new one.
            _writer?.CloseForGood();
            _writer = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a batch with the other writes waiting at the time, in one transaction on the
    /// writer connection, and completes after the commit. The work runs inside a savepoint of that transaction: it must
    /// not begin a transaction of its own. A work that throws is rolled back alone and its task fails; the others
    /// commit.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _batcher.Enqueue((connection, _) => work(connection));
    }

    /// <summary>
    /// Like <see cref="WriteAsync{T}(Func{SqliteConnection, T})"/>, for work that creates its own commands: it gets
    /// the batch's transaction to set on them. The work stays atomic (its savepoint) and durable (its task completes
    /// after the commit), so a consumer that records its <see cref="ProcessedEvents"/> mark inside it keeps
    /// applying each event once.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _batcher.Enqueue(work);
    }

    public void EnsureSchema(string sql)
    {
        using var connection = Open();
        Execute(connection, sql);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> once per database file: the name is recorded in <c>schema_migrations</c> in the
    /// same BEGIN IMMEDIATE transaction, so a restart, or a second process that starts at the same time, skips it.
    /// </summary>
    public void Migrate(string name, string sql)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EnsureSchema("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) WITHOUT ROWID;");
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        if (Scalar(connection, "SELECT 1 FROM schema_migrations WHERE name = $name;", transaction, ("$name", name)) is not null)
        {
            return;
        }

        Execute(connection, sql, transaction);
        Execute(connection, "INSERT INTO schema_migrations (name, applied_at) VALUES ($name, $at);", transaction, ("$name", name), ("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        transaction.Commit();
    }

    /// <summary>
    /// Adds a column to a table that a version without it created. SQLite has no ADD COLUMN IF NOT EXISTS, so this
    /// checks <c>pragma_table_info</c> first. The check and the ALTER TABLE share one BEGIN IMMEDIATE transaction, so
    /// two processes that start together do not both add the column.
    /// </summary>
    /// <param name="definition">The column's type and constraints, for example <c>TEXT</c>.</param>
    public void EnsureColumn(string table, string column, string definition)
    {
        if (!IsIdentifier(table) || !IsIdentifier(column))
        {
            throw new ArgumentException($"Invalid table or column name '{table}.{column}': use plain SQL identifiers (letters, digits and underscores).", nameof(column));
        }

        using var connection = Open();
        using var transaction = BeginWrite(connection);
        var exists = Scalar(connection, "SELECT 1 FROM pragma_table_info($table) WHERE name = $column;", transaction, ("$table", table), ("$column", column)) is not null;
        if (!exists)
        {
            Execute(connection, $"ALTER TABLE {table} ADD COLUMN {column} {definition};", transaction);
        }

        transaction.Commit();
    }

    public void Dispose()
    {
        _disposed = true;
        _checkpoints.Dispose();
        while (_pool.TryTake(out var pooled))
        {
            pooled.CloseForGood();
        }

        EnterGate(_gate);
        try
        {
            _writer?.CloseForGood();
            _writer = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static int Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var (command, owned) = Prepare(connection, sql, transaction, parameters);
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            owned?.Dispose();
        }
    }

    public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var (command, owned) = Prepare(connection, sql, transaction, parameters);
        try
        {
            var result = command.ExecuteScalar();
            return result is DBNull ? null : result;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>
    /// Runs a query and returns what <paramref name="read"/> makes of its rows. On a connection from this class the
    /// statement stays prepared for the next call, as with <see cref="Execute"/>, so <paramref name="read"/> must not
    /// run the same SQL again on this connection before it returns.
    /// </summary>
    public static T Query<T>(SqliteConnection connection, string sql, SqliteTransaction? transaction, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(read);
        var (command, owned) = Prepare(connection, sql, transaction, parameters);
        try
        {
            using var reader = command.ExecuteReader();
            return read(reader);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>
    /// Starts a write transaction with BEGIN IMMEDIATE, so two processes never both read a counter and then both write it.
    /// On a connection from <see cref="Open"/> it first waits for the in-process write gate, which the connection holds
    /// until it is closed.
    /// </summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        (connection as GatedSqliteConnection)?.EnterWriteGate();
        return connection.BeginTransaction(deferred: false);
    }

    private async Task WithWriterAsync(Func<GatedSqliteConnection, Task> work)
    {
        await _gate.WaitAsync();
        try
        {
            _writer ??= OpenWriter();
            await work(_writer);
        }
        catch (SqliteException)
        {
            _writer?.CloseForGood();
            _writer = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Copies committed pages from the WAL into the database file without waiting for readers or writers (PASSIVE).
    /// A failure is left for the next tick, because SQLite keeps the WAL until a checkpoint succeeds.
    /// </summary>
    private void Checkpoint()
    {
        if (_disposed || Interlocked.Exchange(ref _checkpointing, 1) == 1)
        {
            return;
        }

        try
        {
            int walFrames;
            using (var connection = Open())
            {
                walFrames = CheckpointPassive(connection);
            }

            // The WAL starts again from its beginning only when a write finds every frame copied. While this process
            // keeps writing, one lands during each pass, so the WAL grows, and every write then extends the file. Once
            // it is that long, a second pass copies the rest while this process's writers wait at the gate. It copies
            // only what came in since the first pass, so the wait is short, and under light load it is not needed.
            if (walFrames >= ResetWalFrames)
            {
                EnterGate(_gate);
                try
                {
                    using var connection = Open();
                    CheckpointPassive(connection);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (SqliteException)
        {
            // Busy or interrupted: the next tick tries again.
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    /// <summary>Runs a PASSIVE checkpoint. Returns the number of frames in the WAL.</summary>
    private static int CheckpointPassive(SqliteConnection connection) =>
        Query(connection, "PRAGMA wal_checkpoint(PASSIVE);", null, reader =>
        {
            // One row: busy, frames in the WAL, frames copied; -1 when the database is not in WAL mode.
            reader.Read();
            return reader.GetInt32(1);
        });

    /// <summary>
    /// Blocks this thread until the write gate is free, by waiting on a task. A thread that waits on a task notifies the
    /// thread pool that it is blocked (<c>Task.Wait</c> calls <c>ThreadPool.NotifyThreadBlocked</c>), so the pool starts
    /// another worker at once. <see cref="SemaphoreSlim.Wait()"/> gives no such sign: on two cores, two pool threads
    /// waiting for the gate held by the write batch left no worker to run the batch, and the process stalled for one
    /// to three seconds until the pool's starvation check added one.
    /// </summary>
    internal static void EnterGate(SemaphoreSlim gate) => gate.WaitAsync().GetAwaiter().GetResult();

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private bool TryReturn(GatedSqliteConnection connection)
    {
        if (_disposed || _pool.Count >= PoolSize)
        {
            return false;
        }

        _pool.Add(connection);
        return true;
    }

    private GatedSqliteConnection OpenWriter()
    {
        // Never lent, so it stays open until this database is disposed or a failed write replaces it.
        var connection = new GatedSqliteConnection(_connectionString, _gate, _ => false);
        connection.Open();
        Execute(connection, ConnectionPragmas);

        // Write() already holds the gate for this connection; marking it held lets BeginWrite pass without waiting.
        connection.MarkGateHeldByOwner();
        return connection;
    }

    /// <summary>Returns the command to run: a cached one on connections of this class, else a new one the caller disposes.</summary>
    private static (SqliteCommand Command, SqliteCommand? Owned) Prepare(SqliteConnection connection, string sql, SqliteTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        SqliteCommand command;
        SqliteCommand? owned = null;
        if (connection is GatedSqliteConnection gated)
        {
            command = gated.Command(sql);
        }
        else
        {
            command = owned = connection.CreateCommand();
            command.CommandText = sql;
        }

        command.Transaction = transaction ?? (connection as GatedSqliteConnection)?.ActiveTransaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return (command, owned);
    }
}
