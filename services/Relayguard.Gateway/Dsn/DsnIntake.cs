using Microsoft.Extensions.Logging;
using MimeKit;
using Relayguard.Bounces;
using Relayguard.Contracts;
using Relayguard.Gateway.Events;
using Relayguard.Gateway.Index;
using Relayguard.Gateway.Session;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Dsn;

/// <summary>
/// Turns a bounce the upstream MTA made into <see cref="DeliveryBounced"/> events: the report is matched to its
/// submission through the message index, by envelope id and then by the original Message-ID, and each failed
/// recipient carries the submission's time so CA1 counts it in the right window. Unmatched reports are
/// counted and logged, never guessed.
/// </summary>
public sealed partial class DsnIntake(BounceClassifier classifier, MessageIndex index, EventOutbox outbox, RecipientHasher hasher, TimeProvider time, ILogger<DsnIntake> logger)
{
    private long _unmatched;

    // One report at a time from the repeat check to the mark, so two copies of one report that arrive together
    // (a retry on a second connection) cannot both pass the check. Reports are few; a mail server sends them.
    private readonly SemaphoreSlim _reports = new(1, 1);

    /// <summary>Reports that matched no submission since start.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Classifies a report and writes one event per failed recipient; completes once the events are on disk.</summary>
    public async Task<DsnIntakeResult> ProcessAsync(MimeMessage message)
    {
        var classification = classifier.Classify(message);
        var kind = KindName(classification.Kind);
        if (classification.Kind != MessageKind.DeliveryReport)
        {
            LogNotAReport(logger, kind, classification.Why);
            return new DsnIntakeResult(kind, false, null, 0, 0, classification.Why);
        }

        // A recipient counts under whichever of its addresses the submission was sent to: its final address, or the
        // report's Original-Recipient (or "expanded from") where the upstream rewrote it.
        var failed = classification.Recipients
            .Where(r => r.Action == "failed")
            .Select(r => (Recipient: r, Hashes: (r.OriginalAddress is null ? [r.Address] : new[] { r.Address, r.OriginalAddress }).Select(hasher.Hash).ToList()))
            .ToList();
        var submission = index.Find(classification.OriginalEnvelopeId, classification.OriginalMessageId, failed.SelectMany(f => f.Hashes).ToHashSet(StringComparer.Ordinal));
        if (submission is null)
        {
            Interlocked.Increment(ref _unmatched);
            RelayguardTelemetry.UnmatchedReports.Add(1);
            LogUnmatched(logger, classification.OriginalEnvelopeId, classification.OriginalMessageId, Unmatched);
            return new DsnIntakeResult(kind, false, null, 0, 0, "no submission in the message index has this envelope id or Message-ID and one of the failed recipients");
        }

        await _reports.WaitAsync();
        try
        {
            return await PublishAsync(kind, classification.Why, submission, failed);
        }
        finally
        {
            _reports.Release();
        }
    }

    private async Task<DsnIntakeResult> PublishAsync(string kind, string why, IndexedMessage submission, List<(FailedRecipient Recipient, List<string> Hashes)> failed)
    {
        var now = time.GetUtcNow();
        var writes = new List<Task>();
        var written = new List<string>();
        var ignored = new List<string>();
        var repeated = 0;
        foreach (var (recipient, hashes) in failed)
        {
            var position = hashes.FindIndex(submission.Recipients.Contains);
            if (position < 0)
            {
                ignored.Add(recipient.Address);
                continue;
            }

            if (index.WasBounced(submission.GatewayId, hashes[position]) || written.Contains(hashes[position]))
            {
                repeated++;
                continue;
            }

            written.Add(hashes[position]);

            var bounce = new DeliveryBounced
            {
                EventId = Guid.CreateVersion7(now),
                GatewayMessageId = submission.GatewayId,
                Account = submission.Account,
                ClientIp = submission.ClientIp,
                RecipientAddress = position == 0 ? recipient.Address : recipient.OriginalAddress!,
                RecipientHash = hashes[position],
                ReplyCode = recipient.ReplyCode,
                EnhancedStatus = recipient.Status,
                Reply = recipient.Diagnostic ?? recipient.Status ?? "failed",
                AddressInvalid = recipient.AddressInvalid,
                Permanent = recipient.Permanent,
                Reason = ReasonNames.ToWire(recipient.Reason),
                SubmittedAt = submission.SubmittedAt,
                BouncedAt = now,
                Source = BounceSources.Dsn,
            };
            writes.Add(outbox.EnqueueAsync(bounce, bounce.EventId));
            RelayguardTelemetry.Bounces.Add(1, RelayguardTelemetry.Tag("source", BounceSources.Dsn), RelayguardTelemetry.Tag("reason", bounce.Reason));
        }

        // Started in order, the writes share one commit, and no thread waits for it. The recipients are marked as
        // reported only afterwards: a crash in between publishes a report's events twice, which CA1 counts once, while
        // the other order could lose them.
        await Task.WhenAll(writes);
        await Task.WhenAll(written.Select(hash => index.MarkBouncedAsync(submission.GatewayId, hash, submission.SubmittedAt)).ToList());
        var published = writes.Count;
        if (repeated > 0)
        {
            LogRepeated(logger, submission.GatewayId, repeated);
        }

        LogMatched(logger, submission.GatewayId, submission.Account ?? submission.ClientIp, published, published == 1 ? "recipient" : "recipients");
        if (ignored.Count > 0)
        {
            LogNotRecipients(logger, submission.GatewayId, string.Join(", ", ignored));
        }

        return new DsnIntakeResult(kind, true, submission.GatewayId, published, ignored.Count, why);
    }

    public static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.DeliveryReport => "delivery-report",
        MessageKind.AutoReply => "auto-reply",
        MessageKind.ReadReceipt => "read-receipt",
        MessageKind.FeedbackReport => "feedback-report",
        _ => "ordinary",
    };

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "A report for message {MessageId} of {Sender} gave {Bounces} failed {Recipients}.")]
    private static partial void LogMatched(ILogger logger, string messageId, string sender, int bounces, string recipients);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Information, Message = "A report for message {MessageId} repeats {Count} failed recipients that an earlier report gave; they count once.")]
    private static partial void LogRepeated(ILogger logger, string messageId, int count);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Warning, Message = "A report for message {MessageId} names failed recipients the message was not sent to, so they do not count: {Addresses}")]
    private static partial void LogNotRecipients(ILogger logger, string messageId, string addresses);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Warning, Message = "A delivery report matched no submission (envelope id {EnvelopeId}, Message-ID {OriginalMessageId}); {Unmatched} unmatched since start.")]
    private static partial void LogUnmatched(ILogger logger, string? envelopeId, string? originalMessageId, long unmatched);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "A message sent to the DSN intake is not a delivery report ({Kind}: {Why}); ignored.")]
    private static partial void LogNotAReport(ILogger logger, string kind, string why);
}
