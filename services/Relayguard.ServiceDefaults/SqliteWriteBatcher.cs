using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Group commit for <see cref="SqliteDatabase.WriteAsync"/>: one loop takes every write waiting at that moment and
/// runs them in one transaction, each inside a savepoint, so a failing write rolls back alone and the others commit.
/// Every caller's task completes only after the commit. At a few thousand small writes per second this turns
/// thousands of commits into a few hundred, and no caller blocks a thread while it waits.
/// Each write runs under the <see cref="ExecutionContext"/> of the caller that enqueued it, so
/// <see cref="System.Diagnostics.Activity.Current"/> and other async-local values inside the work are the caller's.
/// </summary>
internal sealed class SqliteWriteBatcher
{
    private const int MaxBatch = 256;

    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<Func<GatedSqliteConnection, Task>, Task> _withWriter;
    private int _started;

    /// <param name="withWriter">Runs a callback with the writer connection while holding the write gate.</param>
    public SqliteWriteBatcher(Func<Func<GatedSqliteConnection, Task>, Task> withWriter) => _withWriter = withWriter;

    public Task<T> Enqueue<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        var request = new Request<T>(work, ExecutionContext.Capture());
        _requests.Writer.TryWrite(request);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Without suppressing the flow, the loop would keep the first caller's context, and its Activity, for good.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(RunAsync);
            }
        }

        return request.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Request>(MaxBatch);
        while (await _requests.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            try
            {
                await _withWriter(connection =>
                {
                    RunBatch(connection, batch);
                    return Task.CompletedTask;
                });
            }
            catch (Exception ex)
            {
                // The transaction did not commit: nothing of the batch was written.
                foreach (var request in batch)
                {
                    request.Fail(ex);
                }
            }

            batch.Clear();
        }
    }

    private static void RunBatch(GatedSqliteConnection connection, List<Request> batch)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        connection.ActiveTransaction = transaction;
        try
        {
            var succeeded = new List<Request>(batch.Count);
            foreach (var request in batch)
            {
                SqliteDatabase.Execute(connection, "SAVEPOINT batched_write;", transaction);
                try
                {
                    request.Run(connection, transaction);
                    SqliteDatabase.Execute(connection, "RELEASE batched_write;", transaction);
                    succeeded.Add(request);
                }
                catch (Exception ex)
                {
                    SqliteDatabase.Execute(connection, "ROLLBACK TO batched_write; RELEASE batched_write;", transaction);
                    request.Fail(ex);
                }
            }

            transaction.Commit();
            foreach (var request in succeeded)
            {
                request.Complete();
            }
        }
        finally
        {
            connection.ActiveTransaction = null;
        }
    }

    private abstract class Request
    {
        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    /// <param name="context">The caller's context to run the work under, or null when the caller suppressed its flow.</param>
    private sealed class Request<T>(Func<SqliteConnection, SqliteTransaction, T> work, ExecutionContext? context) : Request
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            if (context is null)
            {
                _result = work(connection, transaction);
                return;
            }

            ExecutionContext.Run(context, _ => _result = work(connection, transaction), null);
        }

        public override void Complete() => _completion.TrySetResult(_result);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
