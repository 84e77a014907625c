using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Session;

/// <summary>
/// Relays the notices of <see cref="FailureNoticeQueue"/> from the null sender, as an MTA sends its bounces. A notice
/// the upstream defers, or that cannot reach it, is tried again after 1 minute, then after twice as long each time up
/// to an hour, for at most <see cref="Lifetime"/> (Postfix's <c>bounce_queue_lifetime</c>). A notice the upstream
/// refuses for good is dropped with a warning, because no other route reaches the sender.
/// </summary>
public sealed partial class FailureNoticeSender(FailureNoticeQueue queue, IMessageRelay relay, TimeProvider time, ILogger<FailureNoticeSender> logger) : BackgroundService
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(5);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);

    /// <summary>Relays every notice that is due now and records the outcome of each; returns how many the upstream took.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        IReadOnlyList<QueuedNotice> due;
        do
        {
            due = queue.Due(time.GetUtcNow(), 50);
            foreach (var notice in due)
            {
                sent += await SendAsync(notice, cancellationToken) ? 1 : 0;
            }
        }
        while (due.Count == 50);

        return sent;
    }

    /// <summary>The pause after <paramref name="attempts"/> failed attempts: 1 minute, doubled each time, at most an hour.</summary>
    public static TimeSpan RetryAfter(int attempts) =>
        TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Min(attempts - 1, 10), LongestRetry.Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The SQLite file is busy or failing: the notices stay in it, and the loop must not end.
                LogQueueFailed(logger, ex);
                await queue.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
                continue;
            }

            await queue.WaitAsync(NextWait(), stoppingToken);
        }
    }

    private TimeSpan NextWait()
    {
        try
        {
            var next = queue.NextDue();
            var wait = next is null ? TimeSpan.FromMinutes(1) : next.Value - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : wait;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogQueueFailed(logger, ex);
            return TimeSpan.FromSeconds(30);
        }
    }

    private async Task<bool> SendAsync(QueuedNotice notice, CancellationToken cancellationToken)
    {
        await queue.ClaimAsync(notice.Id, time.GetUtcNow() + RetryAfter(notice.Attempts + 1));
        string error;
        try
        {
            using var content = new MemoryStream(notice.Content, writable: false);
            var message = await MimeMessage.LoadAsync(content, cancellationToken);
            var recipient = new SmtpRecipient(notice.Recipient, new Dictionary<string, string?>());
            var outgoing = new OutgoingMessage(notice.MessageId + ".notice", string.Empty, [recipient], null, !SmtpPathParser.IsAscii(notice.Recipient), message);
            var result = await relay.RelayAsync(outgoing, cancellationToken);
            if (result.Accepted)
            {
                await queue.RemoveAsync(notice.Id);
                LogSent(logger, notice.MessageId, notice.Recipient, result.Delivery ?? result.Reply.ToString());
                return true;
            }

            if (!result.Reply.IsTransient)
            {
                await queue.RemoveAsync(notice.Id);
                LogRefused(logger, notice.MessageId, notice.Recipient, result.Reply.ToString());
                return false;
            }

            error = result.Reply.ToString();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
        }

        var attempts = notice.Attempts + 1;
        var now = time.GetUtcNow();
        var next = now + RetryAfter(attempts);
        if (next - notice.CreatedAt > Lifetime)
        {
            await queue.RemoveAsync(notice.Id);
            LogExpired(logger, notice.MessageId, notice.Recipient, attempts, error);
            return false;
        }

        await queue.DeferAsync(notice.Id, next, error);
        LogDeferred(logger, notice.MessageId, notice.Recipient, attempts, error, next);
        return false;
    }

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "Failure notice for message {MessageId} relayed to <{Recipient}>; {Delivery}")]
    private static partial void LogSent(ILogger logger, string messageId, string recipient, string delivery);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Failure notice for message {MessageId} to <{Recipient}> not relayed (attempt {Attempts}): {Error}. Next attempt at {Next:u}.")]
    private static partial void LogDeferred(ILogger logger, string messageId, string recipient, int attempts, string error, DateTimeOffset next);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Failure notice for message {MessageId} to <{Recipient}> dropped: the upstream refused it for good: {Reply}")]
    private static partial void LogRefused(ILogger logger, string messageId, string recipient, string reply);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Warning, Message = "Failure notice for message {MessageId} to <{Recipient}> dropped after {Attempts} attempts over 5 days; the last: {Error}")]
    private static partial void LogExpired(ILogger logger, string messageId, string recipient, int attempts, string error);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Error, Message = "The failure notice queue could not be read; its notices stay in the gateway's SQLite file and are tried again.")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception);
}
