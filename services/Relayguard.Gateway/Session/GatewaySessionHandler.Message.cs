using System.Globalization;
using Microsoft.Extensions.Logging;
using MimeKit;
using MimeKit.Utils;
using Relayguard.Bounces;
using Relayguard.Contracts;
using Relayguard.Gateway.Index;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Session;

/// <summary>The end of DATA: BO1, the spam scan, the relay, and the events that record the outcome.</summary>
public sealed partial class GatewaySessionHandler
{
    public async ValueTask<SmtpReply> MessageAsync(SmtpSessionContext session, SmtpTransaction transaction, MessageData data, CancellationToken cancellationToken)
    {
        var hashes = Hashes(transaction);
        await using var stream = data.OpenRead();
        MimeMessage message;
        try
        {
            // Persistent mode leaves part contents in the spool instead of copying them into memory.
            message = await MimeMessage.LoadAsync(ParserOptions.Default, stream, persistent: true, cancellationToken);
        }
        catch (FormatException ex)
        {
            LogUnparseable(_logger, transaction.Id, ex.Message);
            var refusal = new SmtpReply(550, "5.6.0", "Message refused: it is not a valid RFC 5322 message");
            await PublishAsync(session, transaction, hashes, data.Length, ScanResult.NotScanned(), SubmissionOutcomes.Refused, null, "data", refusal);
            return refusal;
        }

        if (transaction.IsNullSender && _bounces.IsDeliveryReport(message, out var why))
        {
            var refusal = _replies.BounceRefused();
            LogBounceRefused(_logger, transaction.Id, Account(session), ClientIp(session), why);
            await PublishAsync(session, transaction, hashes, data.Length, ScanResult.NotScanned(), SubmissionOutcomes.Refused, RuleCodes.Bo1, "data", refusal);
            return refusal;
        }

        var scan = await ScanAsync(session, transaction, data, cancellationToken);
        if (scan.Action == SpamActions.Reject)
        {
            var refusal = _replies.SpamRejected();
            LogSpamRefused(_logger, transaction.Id, Account(session), ClientIp(session), scan.Score ?? 0);
            await PublishAsync(session, transaction, hashes, data.Length, scan, SubmissionOutcomes.Refused, RuleCodes.Ca2, "data", refusal);
            return refusal;
        }

        if (scan.Action == SpamActions.SoftReject)
        {
            var deferral = _replies.SpamDeferred();
            await PublishAsync(session, transaction, hashes, data.Length, scan, SubmissionOutcomes.Deferred, null, "data", deferral);
            return deferral;
        }

        if (!scan.Scanned && _scanner.Enabled && _scannerOptions.FailClosed && scan.Error is not null)
        {
            await PublishAsync(session, transaction, hashes, data.Length, scan, SubmissionOutcomes.Deferred, null, "data", Replies.NotScanned);
            return Replies.NotScanned;
        }

        AddGatewayHeaders(session, transaction, message, scan);

        // Without an envelope id from the client, the gateway's own id goes upstream, so a later DSN names it.
        var envelopeId = transaction.EnvelopeId ?? transaction.Id;
        var outgoing = new OutgoingMessage(transaction.Id, transaction.ReversePath, transaction.Recipients, envelopeId, transaction.Parameters.ContainsKey("SMTPUTF8"), message, transaction.ReturnContent);
        var result = await _relay.RelayAsync(outgoing, cancellationToken);
        var now = _time.GetUtcNow();
        if (result.Delivery is not null)
        {
            // One line per message, as an MTA logs: the upstream's reply carries its queue id.
            var accepted = result.Accepted ? transaction.Recipients.Count - result.RefusedRecipients.Count : 0;
            LogRelayOutcome(_logger, transaction.Id, result.Accepted ? "relayed" : "refused upstream", Account(session), ClientIp(session), transaction.ReversePath, accepted, transaction.Recipients.Count, data.Length, result.Delivery);
        }

        // What the gateway records of the relay, each row and event built once, so that a retry writes the same. A
        // failed write does not change the reply: the upstream may have the message already.
        var records = new List<RelayRecord>();
        var bounces = result.RefusedRecipients.Select(refused => Bounce(session, transaction, refused, now)).ToList();
        if (result.Accepted)
        {
            _rates.Add(RateSubject(session, Account(session)), transaction.Recipients.Count - result.RefusedRecipients.Count);

            // Only the recipients the upstream took: no later report can be about the others, and RL1's count,
            // restored from the index after a restart, leaves them out as the live count does.
            var bouncedHashes = bounces.Select(bounce => bounce.RecipientHash).ToHashSet(StringComparer.Ordinal);
            var acceptedHashes = hashes.Where(hash => !bouncedHashes.Contains(hash)).ToList();
            var indexed = new IndexedMessage(transaction.Id, message.MessageId, envelopeId, Account(session), ClientIp(session), acceptedHashes, now);
            records.Add(new RelayRecord("the message index entry", () => _index.AddAsync(indexed)));
        }

        foreach (var bounce in bounces)
        {
            records.Add(new RelayRecord($"the bounce event of <{bounce.RecipientAddress}>", () => _outbox.EnqueueAsync(bounce, bounce.EventId)));
        }

        var outcome = result.Accepted ? SubmissionOutcomes.Relayed : RefusalOutcome(result.Reply);
        var submitted = Submitted(session, transaction, hashes, data.Length, scan, outcome, null, "data", result.Reply, relayAttempted: result.Accepted || result.RefusedRecipients.Count > 0);
        RecordOutcome(transaction, submitted);
        records.Add(new RelayRecord("the submission event", () => _outbox.EnqueueAsync(submitted, submitted.EventId)));
        await _records.WriteAsync(transaction.Id, records);

        if (result.Accepted && result.RefusedRecipients.Count > 0 && !transaction.IsNullSender)
        {
            // The upstream has the message now: the notice is written even if the session is cancelled meanwhile.
            await QueueFailureNoticeAsync(transaction, message, result.RefusedRecipients);
        }

        return result.Reply;
    }

    private async Task<ScanResult> ScanAsync(SmtpSessionContext session, SmtpTransaction transaction, MessageData data, CancellationToken cancellationToken)
    {
        if (!_scanner.Enabled)
        {
            return ScanResult.NotScanned();
        }

        await using var stream = data.OpenRead();
        var envelope = new ScanEnvelope(
            transaction.Id,
            ClientIp(session),
            transaction.ReversePath,
            transaction.Recipients.Select(r => r.Address).ToList(),
            session.Account,
            session.HeloName);
        return await _scanner.ScanAsync(stream, data.Length, envelope, cancellationToken);
    }

    /// <summary>Inserts the Received header (RFC 5321 section 4.4, protocol names of RFC 3848) and the X-Spam headers at the top.</summary>
    private void AddGatewayHeaders(SmtpSessionContext session, SmtpTransaction transaction, MimeMessage message, ScanResult scan)
    {
        if (scan.Scanned)
        {
            message.Headers.Insert(0, new Header("X-Spam-Symbols", string.Join(", ", scan.TopSymbols)));
            message.Headers.Insert(0, new Header("X-Spam-Action", scan.Action));
            message.Headers.Insert(0, new Header("X-Spam-Score", (scan.Score ?? 0).ToString("0.00", CultureInfo.InvariantCulture)));
            message.Headers.Insert(0, new Header("X-Spam-Flag", scan.Action == SpamActions.NoAction ? "NO" : "YES"));
        }

        var protocol = (session.IsExtended ? "ESMTP" : "SMTP") + (session.IsTls ? "S" : string.Empty) + (session.Account is not null ? "A" : string.Empty);
        if (protocol == "SMTPA" || protocol == "SMTPSA")
        {
            protocol = "E" + protocol;
        }

        var hostName = session.Listener.HostName;
        var date = DateUtils.FormatDate(_time.GetUtcNow());
        var helo = Sanitize(session.HeloName ?? "unknown");
        var value = $"from {helo} ([{ClientIp(session)}]) by {hostName} (Relayguard) with {protocol} id {transaction.Id}; {date}";
        message.Headers.Insert(0, new Header("Received", value));

        // A submission server may add the Date and Message-ID that a client left out (RFC 6409 section 8), as Postfix does
        // for its local clients. A Postfix upstream on another host adds neither by default (local_header_rewrite_clients).
        if (!message.Headers.Contains(HeaderId.Date))
        {
            message.Headers.Add(HeaderId.Date, date);
        }

        if (!message.Headers.Contains(HeaderId.MessageId))
        {
            // Written with RFC 5322's capitals: MimeKit's own name for the header is "Message-Id".
            message.Headers.Add(new Header("Message-ID", $"<{transaction.Id}@{hostName}>"));
        }
    }

    private static string Sanitize(string text) =>
        new(text.Where(c => c > ' ' && c < 127 && c != '(' && c != ')' && c != ';').Take(255).ToArray());

    private DeliveryBounced Bounce(SmtpSessionContext session, SmtpTransaction transaction, RefusedRecipient refused, DateTimeOffset now)
    {
        var (reason, addressInvalid, permanent) = FailureClassifier.Classify(refused.Reply.Code, refused.Reply.EnhancedStatus, refused.Reply.Text);
        return new DeliveryBounced
        {
            EventId = Guid.CreateVersion7(now),
            GatewayMessageId = transaction.Id,
            Account = Account(session),
            ClientIp = ClientIp(session),
            RecipientAddress = refused.Address,
            RecipientHash = _hasher.Hash(refused.Address),
            ReplyCode = refused.Reply.Code,
            EnhancedStatus = refused.Reply.EnhancedStatus,
            Reply = refused.Reply.ToString(),
            AddressInvalid = addressInvalid,
            Permanent = permanent,
            Reason = ReasonNames.ToWire(reason),
            SubmittedAt = transaction.Items.TryGetValue("started", out var started) && started is DateTimeOffset at ? at : now,
            BouncedAt = now,
            Source = BounceSources.Relay,
        };
    }

    /// <summary>Queues the notice durably before the client gets its 250; <see cref="FailureNoticeSender"/> relays it.</summary>
    private async Task QueueFailureNoticeAsync(SmtpTransaction transaction, MimeMessage original, IReadOnlyList<RefusedRecipient> refused)
    {
        MimeMessage notice;
        try
        {
            notice = FailureNotice.Create(_options.HostName ?? System.Net.Dns.GetHostName(), transaction, original, refused, _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is FormatException or ParseException or ArgumentException)
        {
            LogNoticeNotWritten(_logger, transaction.Id, transaction.ReversePath, ex.Message);
            return;
        }

        try
        {
            await _notices.EnqueueAsync(transaction.Id, transaction.ReversePath, notice, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // The client still gets its 250: the message itself went upstream, and its events are written.
            LogNoticeNotSaved(_logger, ex, transaction.Id, transaction.ReversePath);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Message {MessageId} refused under BO1: account {Account}, client {ClientIp}; {Why}")]
    private static partial void LogBounceRefused(ILogger logger, string messageId, string? account, string clientIp, string why);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Message {MessageId} {Outcome}: account {Account}, client {ClientIp}, from <{Sender}>, {Accepted} of {Recipients} recipients accepted, {Size} bytes; {Delivery}")]
    private static partial void LogRelayOutcome(ILogger logger, string messageId, string outcome, string? account, string clientIp, string sender, int accepted, int recipients, long size, string delivery);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Message {MessageId} refused as spam (score {Score}): account {Account}, client {ClientIp}.")]
    private static partial void LogSpamRefused(ILogger logger, string messageId, string? account, string clientIp, double score);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Message {MessageId} could not be parsed: {Error}")]
    private static partial void LogUnparseable(ILogger logger, string messageId, string error);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "No failure notice for message {MessageId}: the sender <{Sender}> is not an address a notice can go to: {Error}")]
    private static partial void LogNoticeNotWritten(ILogger logger, string messageId, string sender, string error);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Error, Message = "The failure notice for message {MessageId} to <{Sender}> could not be saved, so it will not be sent.")]
    private static partial void LogNoticeNotSaved(ILogger logger, Exception exception, string messageId, string sender);
}
