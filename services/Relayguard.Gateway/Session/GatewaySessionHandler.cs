using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Events;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Index;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;
using Relayguard.Gateway.Smtp;
using Relayguard.Gateway.Telemetry;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>
/// The gateway's rules on each SMTP session: who may submit (AUTH or a trusted range), which blocks refuse
/// MAIL FROM, and at the end of DATA the BO1 check, the spam scan and the relay. Every transaction that
/// reaches MAIL FROM ends in a <see cref="MessageSubmitted"/> event, relayed or refused.
/// </summary>
public sealed partial class GatewaySessionHandler : ISmtpSessionHandler
{
    /// <summary>The session item with the account a trusted range names; a login is in <see cref="SmtpSessionContext.Account"/>.</summary>
    private const string AccountItem = "trusted-account";
    private const string ClientIpItem = "client-ip";

    private readonly TrustedNetworks _trusted;
    private readonly IPasswordVerifier _passwords;
    private readonly AuthThrottle _throttle;
    private readonly LoginNetworkMonitor _loginNetworks;
    private readonly SenderPolicy _senders;
    private readonly LocalRateCounter _rates;
    private readonly BlockCache _blocks;
    private readonly BlockTraces _blockTraces;
    private readonly IDetectorAllowlist<GatewaySessionHandler> _allowlist;
    private readonly EventOutbox _outbox;
    private readonly MessageIndex _index;
    private readonly RspamdClient _scanner;
    private readonly IMessageRelay _relay;
    private readonly FailureNoticeQueue _notices;
    private readonly IBounceDetector _bounces;
    private readonly Replies _replies;
    private readonly RecipientHasher _hasher;
    private readonly RelayRecordWriter _records;

    /// <summary>The transaction item that marks the RL1 refusal at RCPT as logged.</summary>
    private const string RateLimitLogged = "rl1-logged";
    private readonly GatewayOptions _options;
    private readonly AuthOptions _authOptions;
    private readonly LimitsOptions _limits;
    private readonly RspamdOptions _scannerOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewaySessionHandler> _logger;
    private readonly ConcurrentDictionary<string, int> _sessionsPerIp = new(StringComparer.Ordinal);

    /// <summary>One line a minute per address for connections over the per-address limit.</summary>
    private readonly RepeatedLogLimiter _sessionLimitLog;

    public GatewaySessionHandler(
        TrustedNetworks trusted,
        IPasswordVerifier passwords,
        AuthThrottle throttle,
        LoginNetworkMonitor loginNetworks,
        SenderPolicy senders,
        LocalRateCounter rates,
        BlockCache blocks,
        BlockTraces blockTraces,
        IDetectorAllowlist<GatewaySessionHandler> allowlist,
        EventOutbox outbox,
        MessageIndex index,
        RspamdClient scanner,
        IMessageRelay relay,
        FailureNoticeQueue notices,
        IBounceDetector bounces,
        Replies replies,
        RecipientHasher hasher,
        RelayRecordWriter records,
        IOptions<GatewayOptions> options,
        IOptions<AuthOptions> authOptions,
        IOptions<LimitsOptions> limits,
        IOptions<RspamdOptions> scannerOptions,
        TimeProvider time,
        ILogger<GatewaySessionHandler> logger)
    {
        _trusted = trusted;
        _passwords = passwords;
        _throttle = throttle;
        _loginNetworks = loginNetworks;
        _senders = senders;
        _rates = rates;
        _blocks = blocks;
        _blockTraces = blockTraces;
        _allowlist = allowlist;
        _outbox = outbox;
        _index = index;
        _scanner = scanner;
        _relay = relay;
        _notices = notices;
        _bounces = bounces;
        _replies = replies;
        _hasher = hasher;
        _records = records;
        _options = options.Value;
        _authOptions = authOptions.Value;
        _limits = limits.Value;
        _scannerOptions = scannerOptions.Value;
        _time = time;
        _logger = logger;
        _sessionLimitLog = new RepeatedLogLimiter(TimeSpan.FromMinutes(1), time);
    }

    public ValueTask<SmtpReply?> OnConnectedAsync(SmtpSessionContext session, CancellationToken cancellationToken)
    {
        var address = session.RemoteEndPoint.Address;
        var clientIp = IpKeys.AddressText(address);
        session.Items[ClientIpItem] = clientIp;
        var trusted = _trusted.Match(address, out var trustedAccount);
        session.Items[SessionItems.Trusted] = trusted;
        session.Items[AccountItem] = trustedAccount;

        var count = _sessionsPerIp.AddOrUpdate(clientIp, 1, (_, n) => n + 1);
        session.Items["counted"] = true;
        if (!trusted && _limits.SessionsPerIp > 0 && count > _limits.SessionsPerIp)
        {
            if (_sessionLimitLog.TryLog(clientIp, out var heldBack))
            {
                // The count includes this connection, which is refused.
                if (heldBack == 0)
                {
                    LogTooManySessions(_logger, clientIp, count - 1, _limits.SessionsPerIp);
                }
                else
                {
                    LogTooManySessionsAgain(_logger, clientIp, count - 1, _limits.SessionsPerIp, heldBack);
                }
            }

            return ValueTask.FromResult<SmtpReply?>(new SmtpReply(421, "4.7.0", "Too many connections from your address, try again later") { CloseConnection = true });
        }

        return ValueTask.FromResult<SmtpReply?>(null);
    }

    public void OnDisconnected(SmtpSessionContext session)
    {
        if (session.Items.ContainsKey("counted"))
        {
            var clientIp = ClientIp(session);
            var left = _sessionsPerIp.AddOrUpdate(clientIp, 0, (_, n) => n - 1);
            if (left <= 0)
            {
                _sessionsPerIp.TryRemove(new KeyValuePair<string, int>(clientIp, left));
            }
        }
    }

    public ValueTask<SmtpReply> MailFromAsync(SmtpSessionContext session, SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var trusted = IsTrusted(session);
        if (session.Account is null && !trusted)
        {
            return ValueTask.FromResult(Replies.AuthenticationRequired);
        }

        var account = Account(session);
        var block = FindBlock(session, account, transaction.IsNullSender);
        if (block is not null)
        {
            var reply = _replies.ForBlock(block);
            LogRefusedAtMail(_logger, transaction.Id, account, ClientIp(session), block.Code, block.Kind, block.Subject);
            if (_blockTraces.Find(block.Kind, block.Subject, block.Code) is { } decision)
            {
                transaction.Activity?.AddLink(new ActivityLink(decision));
            }

            RelayguardTelemetry.Refusals.Add(1, RelayguardTelemetry.Tag("code", block.Code));
            return RefuseAtMailAsync(session, transaction, RefusalOutcome(reply), block.Code, reply);
        }

        if (OverRateLimit(session, account, extraRecipients: 0))
        {
            var reply = _replies.RateLimited();
            LogRateLimited(_logger, transaction.Id, RateSubject(session, account), "mail");
            return RefuseAtMailAsync(session, transaction, SubmissionOutcomes.Deferred, RuleCodes.Rl1, reply);
        }

        if (account is not null && _senders.Mode != SenderPolicy.Off && !_senders.IsAllowed(account, transaction.ReversePath))
        {
            LogSenderNotAllowed(_logger, transaction.Id, account, transaction.ReversePath, _senders.Mode);
            if (_senders.Mode == SenderPolicy.Refuse)
            {
                var reply = _replies.SenderNotOwned(account);
                return RefuseAtMailAsync(session, transaction, SubmissionOutcomes.Refused, null, reply);
            }
        }

        transaction.Items["started"] = _time.GetUtcNow();
        return ValueTask.FromResult(new SmtpReply(250, "2.1.0", "Sender OK"));
    }

    public ValueTask<SmtpReply> RcptToAsync(SmtpSessionContext session, SmtpTransaction transaction, SmtpRecipient recipient, CancellationToken cancellationToken)
    {
        if (Replies.InReservedDomain(recipient.Address) is { } reserved)
        {
            // The bounce-copy address of deploy/postfix is in .invalid: a customer who could write to it could post a
            // forged report to the DSN intake through the upstream and get another account blocked under CA1.
            LogReservedRecipient(_logger, transaction.Id, Account(session), ClientIp(session), recipient.Address);
            return ValueTask.FromResult(_replies.ReservedDomain(reserved));
        }

        var account = Account(session);
        var block = FindBlock(session, account, transaction.IsNullSender);
        if ((block is not null && block.Code == RuleCodes.Rl1) || OverRateLimit(session, account, transaction.Recipients.Count + 1))
        {
            // One line per message: a client over its limit often goes on through a long list of recipients.
            if (transaction.Items.TryAdd(RateLimitLogged, true))
            {
                LogRateLimited(_logger, transaction.Id, RateSubject(session, account), "rcpt");
            }

            return ValueTask.FromResult(_replies.RateLimited());
        }

        return ValueTask.FromResult(new SmtpReply(250, "2.1.5", "Recipient OK"));
    }

    public void OnTransactionAbandoned(SmtpSessionContext session, SmtpTransaction transaction, SmtpReply? refusal)
    {
        if (refusal is null)
        {
            return;
        }

        // A message over the size limit or with bare line endings (a smuggling attempt, or a broken client).
        LogRefusedAtData(_logger, transaction.Id, Account(session), ClientIp(session), refusal.ToString());
        var outcome = RefusalOutcome(refusal);
        Publish(session, transaction, Hashes(transaction), 0, ScanResult.NotScanned(), outcome, null, "data", refusal);
    }

    /// <summary>
    /// Finds the block that refuses this sender. An RL1 block on an address counts trusted senders without AUTH,
    /// so it does not apply to a client that authenticated from that address.
    /// </summary>
    private BlockEntry? FindBlock(SmtpSessionContext session, string? account, bool nullSender)
    {
        var block = _blocks.Find(account, session.RemoteEndPoint.Address, nullSender);
        if (block is { Code: RuleCodes.Rl1, Kind: BlockKinds.Ip } && session.Account is not null)
        {
            return null;
        }

        return block;
    }

    /// <summary>
    /// The RL1 subject: the account mail counts under, or for trusted senders without one the client's IPv4 address
    /// or IPv6 /64 prefix.
    /// </summary>
    private static string RateSubject(SmtpSessionContext session, string? account) =>
        account ?? IpKeys.BlockKey(session.RemoteEndPoint.Address);

    /// <summary>Returns whether this instance's own count already reached an RL1 limit, counting <paramref name="extraRecipients"/> more.</summary>
    private bool OverRateLimit(SmtpSessionContext session, string? account, int extraRecipients)
    {
        var (messageLimit, recipientLimit) = _rates.Options.LimitsFor(account);
        if (messageLimit <= 0 && recipientLimit <= 0)
        {
            return false;
        }

        if (_allowlist.FindCovering(RuleCodes.Rl1, account, ClientIp(session), _time.GetUtcNow()) is not null)
        {
            return false;
        }

        var (messages, recipients) = _rates.Count(RateSubject(session, account));
        if (extraRecipients == 0)
        {
            return (messageLimit > 0 && messages >= messageLimit) || (recipientLimit > 0 && recipients >= recipientLimit);
        }

        return recipientLimit > 0 && recipients + extraRecipients > recipientLimit;
    }

    private static string RefusalOutcome(SmtpReply reply) => reply.IsTransient ? SubmissionOutcomes.Deferred : SubmissionOutcomes.Refused;

    private static bool IsTrusted(SmtpSessionContext session) =>
        session.Items.TryGetValue(SessionItems.Trusted, out var trusted) && trusted is true;

    /// <summary>The account mail is counted under: the AUTH login, else the account named for a trusted range.</summary>
    private static string? Account(SmtpSessionContext session) =>
        session.Account ?? (session.Items.TryGetValue(AccountItem, out var account) ? account as string : null);

    private static string ClientIp(SmtpSessionContext session) =>
        session.Items.TryGetValue(ClientIpItem, out var ip) && ip is string text ? text : IpKeys.AddressText(session.RemoteEndPoint.Address);

    private List<string> Hashes(SmtpTransaction transaction) =>
        transaction.Recipients.Select(r => _hasher.Hash(r.Address)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Tags the transaction span with its outcome and counts it; the account and address are span attributes only, never metric tags.</summary>
    private static void RecordOutcome(SmtpTransaction transaction, MessageSubmitted message)
    {
        RelayguardTelemetry.Messages.Add(1, RelayguardTelemetry.Tag("outcome", message.Outcome), RelayguardTelemetry.Tag("code", message.RefusalCode ?? "none"));
        var activity = transaction.Activity;
        if (activity is null)
        {
            return;
        }

        activity.SetTag("relayguard.outcome", message.Outcome);
        activity.SetTag("relayguard.code", message.RefusalCode);
        activity.SetTag("relayguard.stage", message.RefusalStage);
        activity.SetTag("relayguard.size", message.Size);
        activity.SetTag("relayguard.recipients", message.RecipientCount);
        activity.SetTag("relayguard.spam_action", message.SpamAction);
        activity.SetTag("enduser.id", message.Account);
        activity.SetTag("client.address", message.ClientIp);
    }

    private void Publish(SmtpSessionContext session, SmtpTransaction transaction, IReadOnlyList<string> recipientHashes, long size, ScanResult scan, string outcome, string? code, string? stage, SmtpReply reply, bool relayAttempted = false)
    {
        var message = Submitted(session, transaction, recipientHashes, size, scan, outcome, code, stage, reply, relayAttempted);
        _outbox.Enqueue(message, message.EventId);
        RecordOutcome(transaction, message);
    }

    /// <summary>
    /// Writes the event of a MAIL FROM refused or deferred, then returns its reply. The write goes through the outbox's
    /// shared commit, so a sender that keeps trying while blocked never holds a thread of the pool waiting.
    /// </summary>
    private async ValueTask<SmtpReply> RefuseAtMailAsync(SmtpSessionContext session, SmtpTransaction transaction, string outcome, string? code, SmtpReply reply)
    {
        await PublishAsync(session, transaction, [], 0, ScanResult.NotScanned(), outcome, code, "mail", reply);
        return reply;
    }

    /// <summary>Like <see cref="Publish"/>, but the outbox write shares its commit with other sessions' writes and no thread waits for it.</summary>
    private Task PublishAsync(SmtpSessionContext session, SmtpTransaction transaction, IReadOnlyList<string> recipientHashes, long size, ScanResult scan, string outcome, string? code, string? stage, SmtpReply reply, bool relayAttempted = false)
    {
        var message = Submitted(session, transaction, recipientHashes, size, scan, outcome, code, stage, reply, relayAttempted);
        RecordOutcome(transaction, message);
        return _outbox.EnqueueAsync(message, message.EventId);
    }

    private MessageSubmitted Submitted(SmtpSessionContext session, SmtpTransaction transaction, IReadOnlyList<string> recipientHashes, long size, ScanResult scan, string outcome, string? code, string? stage, SmtpReply reply, bool relayAttempted)
    {
        var now = _time.GetUtcNow();
        return new()
        {
            // Time-ordered, so the consumers' indexes of applied event ids grow at their end instead of at random pages.
            EventId = Guid.CreateVersion7(now),
            GatewayMessageId = transaction.Id,
            SubmittedAt = now,
            Account = Account(session),
            ClientIp = ClientIp(session),
            NullSender = transaction.IsNullSender,
            RecipientHashes = recipientHashes,
            RecipientCount = transaction.Recipients.Count,
            Size = size,
            SpamScore = scan.Score,
            SpamAction = scan.Action,
            SpamSymbols = scan.TopSymbols,
            Outcome = outcome,
            RefusalCode = code,
            RefusalStage = outcome == SubmissionOutcomes.Relayed ? null : stage,
            Reply = reply.ToString(),
            RelayAttempted = relayAttempted,
        };
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "MAIL FROM refused for message {MessageId}: account {Account}, client {ClientIp}, code {Code} on {Kind} {Subject}.")]
    private static partial void LogRefusedAtMail(ILogger logger, string messageId, string? account, string clientIp, string code, string kind, string subject);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Message {MessageId} refused at the end of DATA: account {Account}, client {ClientIp}; the client got {Reply}")]
    private static partial void LogRefusedAtData(ILogger logger, string messageId, string? account, string clientIp, string reply);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "RCPT TO refused for message {MessageId}: account {Account}, client {ClientIp}, recipient <{Recipient}> is in a reserved domain.")]
    private static partial void LogReservedRecipient(ILogger logger, string messageId, string? account, string clientIp, string recipient);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Connection from {ClientIp} refused: {Sessions} sessions from that address are open, the limit is {Limit} (Limits:SessionsPerIp).")]
    private static partial void LogTooManySessions(ILogger logger, string clientIp, int sessions, int limit);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Connection from {ClientIp} refused: {Sessions} sessions from that address are open, the limit is {Limit} (Limits:SessionsPerIp); {HeldBack} more refusals of that address since the last such line were not logged.")]
    private static partial void LogTooManySessionsAgain(ILogger logger, string clientIp, int sessions, int limit, int heldBack);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Message {MessageId} deferred under RL1 at {Stage}: {Subject} reached its hourly limit.")]
    private static partial void LogRateLimited(ILogger logger, string messageId, string subject, string stage);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Message {MessageId}: account {Account} used the sender <{Sender}>, which it may not use; sender policy {Policy}.")]
    private static partial void LogSenderNotAllowed(ILogger logger, string messageId, string account, string sender, string policy);
}
