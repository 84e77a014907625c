using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>One row or event that the gateway writes about a relayed message, built once so that a retry writes the same.</summary>
/// <param name="What">What the write holds, for the log: "the submission event", "the message index entry".</param>
/// <param name="Write">Starts the write; the same row or event each time it is called.</param>
public sealed record RelayRecord(string What, Func<Task> Write);

/// <summary>
/// Writes what the gateway records once the upstream has replied: the message index entry and the events. The
/// upstream may already have the message, so a failed write (a full disk, a database another process holds locked)
/// must not turn into a 4xx, or the client sends the message again. The client gets the upstream's reply. The
/// failed writes are retried in the background, after 1 second, doubling to 1 minute, for up to
/// <see cref="RetryFor"/>. Those still failing when the gateway stops are tried once more, then logged as lost.
/// </summary>
public sealed partial class RelayRecordWriter(TimeProvider time, ILogger<RelayRecordWriter> logger, IHostApplicationLifetime? lifetime = null)
{
    /// <summary>How long failed writes are retried.</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromHours(1);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Starts every write in order, so that they share commits and the outbox keeps their order, and waits for them.
    /// Returns once each has succeeded or been handed to the background retry. A retried write lands after the ones
    /// that succeeded, and after later messages' events; the consumers take a bounce before or after its submission.
    /// </summary>
    public async Task WriteAsync(string messageId, IReadOnlyList<RelayRecord> records)
    {
        var (failed, error) = await TryAllAsync(records);
        if (failed.Count == 0)
        {
            return;
        }

        LogNotWritten(logger, error, messageId, Describe(failed), Durations.Format(RetryFor));
        _ = RetryAsync(messageId, failed);
    }

    private async Task RetryAsync(string messageId, List<RelayRecord> pending)
    {
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        var deadline = time.GetUtcNow() + RetryFor;
        var delay = FirstDelay;
        var tries = 0;
        try
        {
            while (pending.Count > 0 && time.GetUtcNow() < deadline)
            {
                await Task.Delay(delay, time, stopping);
                tries++;
                (pending, _) = await TryAllAsync(pending);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping, and sessions may still be finishing their transactions with the database open:
            // one last try, then the line below logs what is still pending as lost.
            tries++;
            (pending, _) = await TryAllAsync(pending);
        }

        if (pending.Count == 0)
        {
            LogWrittenLate(logger, messageId, tries);
        }
        else
        {
            LogLost(logger, messageId, Describe(pending), tries);
        }
    }

    private static async Task<(List<RelayRecord> Failed, Exception? Error)> TryAllAsync(IReadOnlyList<RelayRecord> records)
    {
        var started = new List<(RelayRecord Record, Task Task)>(records.Count);
        foreach (var record in records)
        {
            Task task;
            try
            {
                task = record.Write();
            }
            catch (Exception ex)
            {
                task = Task.FromException(ex);
            }

            started.Add((record, task));
        }

        var failed = new List<RelayRecord>();
        Exception? error = null;
        foreach (var (record, task) in started)
        {
            try
            {
                await task;
            }
            catch (Exception ex)
            {
                failed.Add(record);
                error ??= ex;
            }
        }

        return (failed, error);
    }

    private static string Describe(List<RelayRecord> records) => string.Join(", ", records.Select(record => record.What));

    [LoggerMessage(EventId = 2120, Level = LogLevel.Error, Message = "Message {MessageId} went upstream, but writing {Records} failed; the client got the upstream's reply so that it does not send the message again. The writes are retried for {RetryFor}; check the data folder's free space and that no other process holds its database.")]
    private static partial void LogNotWritten(ILogger logger, Exception? exception, string messageId, string records, string retryFor);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Information, Message = "Wrote the records of message {MessageId} after {Tries} retries.")]
    private static partial void LogWrittenLate(ILogger logger, string messageId, int tries);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Error, Message = "Gave up writing {Records} of message {MessageId} after {Tries} retries: the detectors never see them.")]
    private static partial void LogLost(ILogger logger, string messageId, string records, int tries);
}
